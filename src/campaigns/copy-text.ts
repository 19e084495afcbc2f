/**
 * Encoding for PostgreSQL's COPY text format: one line per row, tab-separated, `\N` for NULL,
 * backslash escapes for the characters that would break the line. Arrays are written as array
 * literals and jsonb as JSON text, both escaped the same way.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyValue(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return NEEDS_ESCAPE.test(s) ? escapeText(s) : s;
}

/** copyValue for a text value: the same output, without the conversion (a million rows' worth). */
export function copyText(s: string | null): string {
  if (s === null) return '\\N';
  return NEEDS_ESCAPE.test(s) ? escapeText(s) : s;
}

export function copyArray(items: readonly string[]): string {
  if (items.length === 0) return '{}';
  return copyValue(
    `{${items.map((i) => `"${i.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`,
  );
}

export function copyRow(values: string[]): string {
  return values.join('\t') + '\n';
}
