/**
 * When a contact may be called: pure functions of the windows, the contact's candidate zones
 * and a `now` passed in (never read from a clock here).
 */

/** Local wall-clock times 'HH:MM' (24 h); `start` is inclusive, `end` exclusive. */
export interface CallingWindow {
  start: string;
  end: string;
}

/** The federal TCPA window (47 CFR 64.1200(c)(1)), in the called party's local time. */
export const LEGAL_WINDOW: CallingWindow = Object.freeze({ start: '08:00', end: '21:00' });

/**
 * States whose telemarketing laws set a narrower daily window (keys upper case). Rules that
 * depend on the weekday or on holidays (Texas, Louisiana, Alabama, ...) are not expressed here.
 */
export const STATE_WINDOWS: Readonly<Record<string, CallingWindow>> = Object.freeze({
  FL: { start: '08:00', end: '20:00' }, // Florida Telephone Solicitation Act (2021)
  MD: { start: '08:00', end: '20:00' }, // Maryland Stop the Spam Calls Act (2023)
  OK: { start: '08:00', end: '20:00' }, // Oklahoma Telephone Solicitation Act (2022)
  WA: { start: '08:00', end: '20:00' }, // RCW 80.36.390
});

const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/** Both ends are 'HH:MM' (00:00–23:59) and the window is not empty. */
export function isValidWindow(w: CallingWindow): boolean {
  return HH_MM.test(w.start) && HH_MM.test(w.end) && w.start < w.end;
}

/** A campaign may only narrow the legal window, never widen it. */
export function narrowsLegalWindow(w: CallingWindow): boolean {
  return isValidWindow(w) && w.start >= LEGAL_WINDOW.start && w.end <= LEGAL_WINDOW.end;
}

/** The times inside both windows, or null when they do not overlap (or either is invalid). */
export function intersectWindows(a: CallingWindow, b: CallingWindow): CallingWindow | null {
  if (!isValidWindow(a) || !isValidWindow(b)) return null;
  // 'HH:MM' strings compare in time order.
  const start = a.start > b.start ? a.start : b.start;
  const end = a.end < b.end ? a.end : b.end;
  return start < end ? { start, end } : null;
}

/** The campaign's window within the legal one and the state's own rule, or null if none is left. */
export function effectiveWindow(
  campaignWindow: CallingWindow,
  state: string | null | undefined,
): CallingWindow | null {
  const window = intersectWindows(campaignWindow, LEGAL_WINDOW);
  const code = state?.trim().toUpperCase() ?? '';
  return window && Object.hasOwn(STATE_WINDOWS, code)
    ? intersectWindows(window, STATE_WINDOWS[code])
    : window;
}

/** A formatter per zone, and the last minute it formatted (a batch asks for the same `now`). */
const clocks = new Map<string, { format: Intl.DateTimeFormat; minute: number; text: string }>();

/**
 * The wall-clock time 'HH:MM' in an IANA zone at `now`, by the zone's own rules (DST included).
 * Throws a RangeError for a zone name Intl does not know.
 */
export function localTime(zone: string, now: Date): string {
  let clock = clocks.get(zone);
  if (!clock) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
    });
    clock = { format, minute: NaN, text: '' };
    clocks.set(zone, clock);
  }
  // Every zone's offset is a whole number of minutes, so one UTC minute is one local minute.
  const minute = Math.floor(now.getTime() / 60_000);
  if (clock.minute !== minute) {
    let hour = '';
    let min = '';
    for (const part of clock.format.formatToParts(now)) {
      if (part.type === 'hour') hour = part.value;
      else if (part.type === 'minute') min = part.value;
    }
    clock.text = `${hour.padStart(2, '0')}:${min.padStart(2, '0')}`;
    clock.minute = minute;
  }
  return clock.text;
}

/**
 * Whether `now` is inside the window in that zone. A zone whose time cannot be known (a name
 * Intl rejects) is never open: not calling is the safe answer.
 */
export function isOpenIn(zone: string, window: CallingWindow, now: Date): boolean {
  if (!isValidWindow(window)) return false;
  let time: string;
  try {
    time = localTime(zone, now);
  } catch {
    return false;
  }
  return window.start <= time && time < window.end;
}

/** The zones (in their given order) where `now` is inside the window. */
export function openZones(zones: readonly string[], window: CallingWindow, now: Date): string[] {
  return zones.filter((zone) => isOpenIn(zone, window, now));
}

/**
 * Whether the contact may be called now: inside the effective window in every zone it may be
 * in (a number whose zone cannot be narrowed is callable only where all its zones overlap).
 * Never for a contact without zones.
 */
export function mayCallNow(
  contact: { zones: readonly string[]; state?: string | null },
  campaignWindow: CallingWindow,
  now: Date,
): boolean {
  const window = effectiveWindow(campaignWindow, contact.state);
  return (
    window !== null &&
    contact.zones.length > 0 &&
    contact.zones.every((zone) => isOpenIn(zone, window, now))
  );
}

/**
 * The contact's candidate zones in which `at` is outside the effective window (every zone when
 * no window is left for its state). Empty = `at` is inside the window wherever the contact is.
 */
export function zonesOutsideWindow(
  contact: { zones: readonly string[]; state?: string | null },
  campaignWindow: CallingWindow,
  at: Date,
): string[] {
  const window = effectiveWindow(campaignWindow, contact.state);
  return contact.zones.filter((zone) => !window || !isOpenIn(zone, window, at));
}

/**
 * The wall-clock date and time 'YYYY-MM-DDTHH:MM' in an IANA zone at `at` (DST included), for
 * showing a time that may be on another day than today. Throws a RangeError for an unknown zone.
 */
export function localDateTime(zone: string, at: Date): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  for (const part of format.formatToParts(at)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour.padStart(2, '0')}:${parts.minute}`;
}
