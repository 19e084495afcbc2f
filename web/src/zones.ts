/** The offset (ms) of a time zone from UTC at an instant, from Intl (no library). */
function offsetAt(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - at;
}

/** A wall-clock time (`YYYY-MM-DDTHH:MM`) in `zone` as an ISO instant (UTC). */
export function zonedToIso(local: string, zone: string): string {
  const [d, t] = local.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi] = t.split(':').map(Number);
  const guess = Date.UTC(y, mo - 1, da, h, mi);
  let at = guess - offsetAt(zone, guess);
  at = guess - offsetAt(zone, at);
  return new Date(at).toISOString();
}

/** The current wall-clock time in `zone` as `YYYY-MM-DDTHH:MM` (for the recall picker). */
export function nowIn(zone: string, plusMinutes = 0): string {
  const at = Date.now() + plusMinutes * 60_000;
  return new Date(at + offsetAt(zone, at)).toISOString().slice(0, 16);
}
