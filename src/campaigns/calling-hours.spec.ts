import {
  type CallingWindow,
  effectiveWindow,
  intersectWindows,
  isOpenIn,
  isValidWindow,
  LEGAL_WINDOW,
  localDateTime,
  localTime,
  mayCallNow,
  narrowsLegalWindow,
  openZones,
  STATE_WINDOWS,
  zonesOutsideWindow,
} from './calling-hours';

const LA = 'America/Los_Angeles';
const NY = 'America/New_York';
const CHI = 'America/Chicago';
const DEN = 'America/Denver';
const PHX = 'America/Phoenix';

const w = (start: string, end: string): CallingWindow => ({ start, end });
const at = (iso: string) => new Date(iso);

describe(isValidWindow.name, () => {
  it.each([
    [w('08:00', '21:00'), true],
    [w('00:00', '23:59'), true],
    [w('09:00', '09:01'), true],
    [w('09:00', '09:00'), false], // empty
    [w('17:00', '09:00'), false], // backwards
    [w('8:00', '17:00'), false],
    [w('08:00', '24:00'), false],
    [w('12:60', '13:00'), false],
    [w(' 08:00', '17:00'), false],
    [w('08:00', '17:00:00'), false],
  ])('%j is valid: %s', (window, valid) => {
    expect(isValidWindow(window)).toBe(valid);
  });
});

describe(narrowsLegalWindow.name, () => {
  it.each([
    [w('08:00', '21:00'), true],
    [w('09:30', '17:00'), true],
    [w('07:59', '21:00'), false],
    [w('08:00', '21:01'), false],
    [w('07:00', '22:00'), false],
    [w('10:00', '09:00'), false],
  ])('%j narrows the legal window: %s', (window, narrows) => {
    expect(narrowsLegalWindow(window)).toBe(narrows);
  });
});

describe(intersectWindows.name, () => {
  it.each([
    [w('08:00', '21:00'), w('09:30', '17:00'), w('09:30', '17:00')],
    [w('07:00', '12:00'), w('08:00', '21:00'), w('08:00', '12:00')],
    [w('08:00', '12:00'), w('12:00', '13:00'), null], // the end is exclusive: they only touch
    [w('08:00', '09:00'), w('10:00', '11:00'), null],
    [w('08:00', '09:00'), w('9:00', '11:00'), null], // invalid
  ])('%j ∩ %j = %j', (a, b, both) => {
    expect(intersectWindows(a, b)).toEqual(both);
    expect(intersectWindows(b, a)).toEqual(both);
  });
});

describe(effectiveWindow.name, () => {
  it('cuts a window that would widen the legal one down to it', () => {
    expect(effectiveWindow(w('07:00', '22:00'), null)).toEqual(LEGAL_WINDOW);
  });

  it("applies a state's own window, whatever the case of its code", () => {
    expect(effectiveWindow(w('07:00', '22:00'), 'FL')).toEqual(w('08:00', '20:00'));
    expect(effectiveWindow(w('07:00', '22:00'), ' fl ')).toEqual(w('08:00', '20:00'));
    expect(effectiveWindow(w('09:00', '17:00'), 'FL')).toEqual(w('09:00', '17:00'));
    expect(effectiveWindow(w('07:00', '22:00'), 'CA')).toEqual(LEGAL_WINDOW);
  });

  it('leaves nothing when the campaign calls only outside the state window', () => {
    expect(effectiveWindow(w('20:00', '21:00'), 'FL')).toBeNull();
    expect(effectiveWindow(w('06:00', '08:00'), null)).toBeNull();
  });

  it('knows Florida at least, and only windows inside the legal one', () => {
    expect(STATE_WINDOWS.FL).toEqual(w('08:00', '20:00'));
    for (const window of Object.values(STATE_WINDOWS))
      expect(narrowsLegalWindow(window)).toBe(true);
  });
});

describe(localTime.name, () => {
  it.each([
    [LA, '2026-07-15T15:00:00Z', '08:00'], // PDT, UTC-7
    [LA, '2026-01-15T16:00:00Z', '08:00'], // PST, UTC-8
    [NY, '2026-07-15T04:00:00Z', '00:00'], // midnight is 00:00, not 24:00
    [NY, '2026-07-15T03:59:59Z', '23:59'],
    ['Asia/Kolkata', '2026-07-15T00:00:00Z', '05:30'],
    ['Asia/Kathmandu', '2026-07-15T00:00:00Z', '05:45'],
    ['UTC', '2026-07-15T00:00:59.999Z', '00:00'],
  ])('tells the time in %s at %s: %s', (zone, iso, time) => {
    expect(localTime(zone, at(iso))).toBe(time);
  });

  it('follows the clock change in New York on 2026-03-08 and 2026-11-01', () => {
    expect(localTime(NY, at('2026-03-08T06:59:00Z'))).toBe('01:59'); // EST
    expect(localTime(NY, at('2026-03-08T07:00:00Z'))).toBe('03:00'); // EDT: 02:xx never happens
    expect(localTime(NY, at('2026-11-01T05:30:00Z'))).toBe('01:30'); // EDT
    expect(localTime(NY, at('2026-11-01T06:30:00Z'))).toBe('01:30'); // EST: 01:xx happens twice
  });

  it('answers each zone for the instant asked, not the one asked before', () => {
    expect(localTime(LA, at('2026-07-15T15:00:00Z'))).toBe('08:00');
    expect(localTime(LA, at('2026-07-15T15:01:00Z'))).toBe('08:01');
    expect(localTime(NY, at('2026-07-15T15:01:00Z'))).toBe('11:01');
  });

  it('refuses a zone name it does not know', () => {
    expect(() => localTime('Mars/Olympus_Mons', at('2026-07-15T15:00:00Z'))).toThrow(RangeError);
  });
});

describe(isOpenIn.name, () => {
  // 2026-07-15 is in daylight saving time: Los Angeles is UTC-7.
  it.each([
    ['refuses 07:59 in Los Angeles', '2026-07-15T14:59:59Z', false],
    ['allows 08:00 in Los Angeles', '2026-07-15T15:00:00Z', true],
    ['allows 20:59 in Los Angeles', '2026-07-16T03:59:59Z', true],
    ['refuses 21:00 in Los Angeles', '2026-07-16T04:00:00Z', false],
  ])('%s', (_name, iso, open) => {
    expect(isOpenIn(LA, LEGAL_WINDOW, at(iso))).toBe(open);
  });

  // The clocks go forward on 2026-03-08 (08:00 EDT is 12:00Z) and back on 2026-11-01 (08:00 EST is 13:00Z).
  it.each([
    ['refuses 07:59 in New York on the day the clocks go forward', '2026-03-08T11:59:00Z', false],
    ['allows 08:00 in New York on the day the clocks go forward', '2026-03-08T12:00:00Z', true],
    ['refuses 07:00 in New York on the day the clocks go back', '2026-11-01T12:00:00Z', false],
    ['refuses 07:59 in New York on the day the clocks go back', '2026-11-01T12:59:00Z', false],
    ['allows 08:00 in New York on the day the clocks go back', '2026-11-01T13:00:00Z', true],
    ['refuses 21:00 in New York on the day the clocks go back', '2026-11-02T02:00:00Z', false],
  ])('%s', (_name, iso, open) => {
    expect(isOpenIn(NY, LEGAL_WINDOW, at(iso))).toBe(open);
  });

  it('keeps to a campaign window narrower than the legal one', () => {
    const office = w('09:30', '17:00');
    expect(isOpenIn(LA, office, at('2026-07-15T16:29:00Z'))).toBe(false);
    expect(isOpenIn(LA, office, at('2026-07-15T16:30:00Z'))).toBe(true);
    expect(isOpenIn(LA, office, at('2026-07-15T23:59:00Z'))).toBe(true);
    expect(isOpenIn(LA, office, at('2026-07-16T00:00:00Z'))).toBe(false);
  });

  it('is never open in a zone it cannot tell the time of, nor for an invalid window', () => {
    expect(isOpenIn('Mars/Olympus_Mons', LEGAL_WINDOW, at('2026-07-15T18:00:00Z'))).toBe(false);
    expect(isOpenIn(LA, w('8:00', '21:00'), at('2026-07-15T18:00:00Z'))).toBe(false);
  });
});

describe(openZones.name, () => {
  it('sees Arizona an hour behind Denver in summer, and level with it in winter', () => {
    // 14:30Z in July: 07:30 in Phoenix (no DST, UTC-7), 08:30 in Denver (MDT, UTC-6).
    expect(openZones([PHX, DEN], LEGAL_WINDOW, at('2026-07-15T14:30:00Z'))).toEqual([DEN]);
    // 03:00Z the next night: 20:00 in Phoenix, 21:00 in Denver.
    expect(openZones([PHX, DEN], LEGAL_WINDOW, at('2026-07-16T03:00:00Z'))).toEqual([PHX]);
    // 15:00Z in January: 08:00 in both (Denver is on MST).
    expect(openZones([PHX, DEN], LEGAL_WINDOW, at('2026-01-15T15:00:00Z'))).toEqual([PHX, DEN]);
  });

  it('answers nothing for no zones', () => {
    expect(openZones([], LEGAL_WINDOW, at('2026-07-15T18:00:00Z'))).toEqual([]);
  });
});

describe(mayCallNow.name, () => {
  const anyHour = w('00:00', '23:59');

  it('refuses a Florida contact at 20:00 and allows it at 19:59', () => {
    const contact = { zones: [NY], state: 'FL' };
    expect(mayCallNow(contact, anyHour, at('2026-07-16T00:00:00Z'))).toBe(false);
    expect(mayCallNow(contact, anyHour, at('2026-07-15T23:59:00Z'))).toBe(true);
    // The same hour is legal in New York State.
    expect(mayCallNow({ zones: [NY], state: 'NY' }, anyHour, at('2026-07-16T00:00:00Z'))).toBe(
      true,
    );
  });

  describe('a number that may be in New York or Chicago time (summer)', () => {
    const contact = { zones: [CHI, NY] };
    it.each([
      ['refuses 08:30 New York (07:30 Chicago)', '2026-07-15T12:30:00Z', false],
      ['refuses 08:59 New York (07:59 Chicago)', '2026-07-15T12:59:00Z', false],
      ['allows 09:00 New York (08:00 Chicago)', '2026-07-15T13:00:00Z', true],
      ['allows 20:30 New York (19:30 Chicago)', '2026-07-16T00:30:00Z', true],
      ['allows 20:59 New York (19:59 Chicago)', '2026-07-16T00:59:00Z', true],
      ['refuses 21:00 New York (20:00 Chicago)', '2026-07-16T01:00:00Z', false],
    ])('%s', (_name, iso, ok) => {
      expect(mayCallNow(contact, LEGAL_WINDOW, at(iso))).toBe(ok);
    });

    it.each([
      ['refuses 08:59 New York (07:59 Chicago) in Florida', '2026-07-15T12:59:00Z', false],
      ['allows 09:00 New York (08:00 Chicago) in Florida', '2026-07-15T13:00:00Z', true],
      ['allows 19:59 New York (18:59 Chicago) in Florida', '2026-07-15T23:59:00Z', true],
      ['refuses 20:00 New York (19:00 Chicago) in Florida', '2026-07-16T00:00:00Z', false],
      ['refuses 20:30 New York (19:30 Chicago) in Florida', '2026-07-16T00:30:00Z', false],
    ])('%s', (_name, iso, ok) => {
      expect(mayCallNow({ ...contact, state: 'FL' }, LEGAL_WINDOW, at(iso))).toBe(ok);
    });
  });

  it('refuses Arizona-or-Denver in summer until both are open', () => {
    const contact = { zones: [DEN, PHX], state: 'AZ' };
    expect(mayCallNow(contact, LEGAL_WINDOW, at('2026-07-15T14:30:00Z'))).toBe(false);
    expect(mayCallNow(contact, LEGAL_WINDOW, at('2026-07-15T15:00:00Z'))).toBe(true);
  });

  it('keeps to the campaign window when it is narrower than the legal one', () => {
    const contact = { zones: [LA] };
    expect(mayCallNow(contact, w('10:00', '16:00'), at('2026-07-15T16:59:00Z'))).toBe(false);
    expect(mayCallNow(contact, w('10:00', '16:00'), at('2026-07-15T17:00:00Z'))).toBe(true);
    expect(mayCallNow(contact, w('10:00', '16:00'), at('2026-07-15T23:00:00Z'))).toBe(false);
  });

  it('never allows a window that would widen the legal one past it', () => {
    const contact = { zones: [LA] };
    expect(mayCallNow(contact, w('07:00', '22:00'), at('2026-07-15T14:30:00Z'))).toBe(false);
    expect(mayCallNow(contact, w('07:00', '22:00'), at('2026-07-16T04:30:00Z'))).toBe(false);
  });

  it('refuses a contact without zones, or with a zone it cannot tell the time of', () => {
    const noon = at('2026-07-15T19:00:00Z');
    expect(mayCallNow({ zones: [] }, LEGAL_WINDOW, noon)).toBe(false);
    expect(mayCallNow({ zones: [LA, 'Mars/Olympus_Mons'] }, LEGAL_WINDOW, noon)).toBe(false);
    expect(mayCallNow({ zones: [LA] }, LEGAL_WINDOW, noon)).toBe(true);
  });

  it('refuses when the campaign window and the state window do not overlap', () => {
    expect(
      mayCallNow({ zones: [NY], state: 'FL' }, w('20:00', '21:00'), at('2026-07-16T00:30:00Z')),
    ).toBe(false);
  });
});

describe(zonesOutsideWindow.name, () => {
  const contact = { zones: [CHI, NY] };
  it.each([
    ['none at 16:30 New York (15:30 Chicago)', '2026-07-15T20:30:00Z', []],
    ['New York at 17:30 New York (16:30 Chicago)', '2026-07-15T21:30:00Z', [NY]],
    ['Chicago at 09:30 New York (08:30 Chicago)', '2026-07-15T13:30:00Z', [CHI]],
    ['both at 03:00 New York', '2026-07-15T07:00:00Z', [CHI, NY]],
  ])('names %s in a 09:00-17:00 window', (_name, iso, zones) => {
    expect(zonesOutsideWindow(contact, w('09:00', '17:00'), at(iso))).toEqual(zones);
  });

  it("keeps to the state's own window", () => {
    // 20:30 New York is inside the legal window, outside Florida's.
    const late = at('2026-07-16T00:30:00Z');
    expect(zonesOutsideWindow(contact, LEGAL_WINDOW, late)).toEqual([]);
    expect(zonesOutsideWindow({ ...contact, state: 'FL' }, LEGAL_WINDOW, late)).toEqual([NY]);
    // No window left for the state: outside everywhere.
    expect(zonesOutsideWindow({ zones: [NY], state: 'FL' }, w('20:00', '21:00'), late)).toEqual([
      NY,
    ]);
  });
});

describe(localDateTime.name, () => {
  it('gives the date and time in the zone, across midnight and DST', () => {
    expect(localDateTime(NY, at('2026-07-16T01:30:00Z'))).toBe('2026-07-15T21:30');
    expect(localDateTime(CHI, at('2026-07-16T05:05:00Z'))).toBe('2026-07-16T00:05');
    expect(localDateTime(LA, at('2026-03-02T18:00:00Z'))).toBe('2026-03-02T10:00');
    expect(localDateTime(LA, at('2026-03-09T18:00:00Z'))).toBe('2026-03-09T11:00');
  });
});
