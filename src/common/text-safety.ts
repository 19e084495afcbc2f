import type { FieldProblem } from './app-error';

/**
 * A NUL character (PostgreSQL's text cannot hold one: the write failed with a 500) or a UTF-16
 * surrogate without its pair (not Unicode: silently stored as U+FFFD). With the `u` flag a pair is
 * one code point, so `\p{Cs}` matches only a lone half.
 */
const UNSAFE = /[\0\p{Cs}]/u;

function problem(text: string): string {
  return text.includes('\0')
    ? 'must not contain a NUL character (\\u0000)'
    : 'must be valid Unicode text (it holds half of a surrogate pair)';
}

/** A key as it can be shown in a field path: its unsafe characters escaped. */
function shown(key: string): string {
  return key.replace(/[\0\p{Cs}]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The fields of a request value (a parsed body, a query, path parameters, or one of their fields)
 * whose text, or whose keys, hold a NUL or a lone surrogate: one problem per field, with dotted
 * paths as validation names them. The depth of a body is bounded before it is parsed
 * (request-bodies.ts), so the walk is too.
 */
export function unsafeTextProblems(value: unknown, path = ''): FieldProblem[] {
  if (typeof value === 'string') {
    const field = path || 'body';
    return UNSAFE.test(value) ? [{ field, message: `${field} ${problem(value)}` }] : [];
  }
  if (typeof value !== 'object' || value === null) return [];
  if (typeof (value as { pipe?: unknown }).pipe === 'function') return []; // an upload's stream
  const out: FieldProblem[] = [];
  for (const [key, v] of Object.entries(value)) {
    const field = path ? `${path}.${shown(key)}` : shown(key);
    if (UNSAFE.test(key)) out.push({ field, message: `the name of ${field} ${problem(key)}` });
    else out.push(...unsafeTextProblems(v, field));
  }
  return out;
}
