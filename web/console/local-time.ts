/** A zone's wall-clock time now, as the caller reads it (e.g. "13:58"). */
export function timeIn(zone: string, at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** The city of an IANA zone, for people: "America/New_York" → "New York". */
export function zoneCity(zone: string): string {
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

/**
 * The contact's local time, honestly: one zone gives its time; several candidate zones give every
 * one of them ("12:58 or 13:58, zone uncertain"), never one as if it were sure; none says so.
 */
export function localTimeText(zones: string[], at: Date): string {
  if (zones.length === 0) return 'local time unknown (no zone)';
  if (zones.length === 1) return `${timeIn(zones[0], at)} (${zoneCity(zones[0])})`;
  const times = [...new Set(zones.map((z) => timeIn(z, at)))];
  if (times.length === 1) return `${times[0]} (${zones.map(zoneCity).join(' or ')})`;
  return `${times.join(' or ')}, zone uncertain (${zones.map(zoneCity).join(' or ')})`;
}

/** "m:ss" for a countdown. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "1 dial", "2 dials". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** When a recall is due, with its date, in the contact's zone(s): "Wed 4 Mar, 10:30 (Denver)". */
export function recallWhen(zones: string[], at: Date): string {
  const fmt = (zone: string | undefined) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(at);
  if (zones.length === 0) return `${fmt(undefined)} (your time)`;
  const texts = [...new Set(zones.map(fmt))];
  return `${texts.join(' or ')} (${zones.map(zoneCity).join(' or ')})`;
}
