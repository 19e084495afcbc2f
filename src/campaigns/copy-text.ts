/**
 * Encoding for PostgreSQL's COPY text format: one line per row, tab-separated, `\N` for NULL,
 * backslash escapes for the characters that would break the line. Arrays are written as array
 * literals and jsonb as JSON text, both escaped the same way.
 */
export function copyValue(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

export function copyArray(items: readonly string[]): string {
  return copyValue(
    `{${items.map((i) => `"${i.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`,
  );
}

export function copyRow(values: string[]): string {
  return values.join('\t') + '\n';
}
