/** Form fields as Twilio signs them: flat, a repeated name becomes a list. */
export type FormParams = Record<string, string | string[]>;

/** Parses an `application/x-www-form-urlencoded` body flat (no nesting of `a[b]=x`). */
export function parseForm(raw: string): FormParams {
  const out: FormParams = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** One field's value (the first, when repeated), or undefined. */
export function field(p: FormParams, name: string): string | undefined {
  const v = p[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isFormParams(body: unknown): body is FormParams {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
