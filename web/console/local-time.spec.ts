import { clock, localTimeText, plural, recallWhen, timeIn } from './local-time';

describe("the contact's local time, honestly", () => {
  const at = new Date('2026-03-02T17:58:00Z');

  it('gives one zone its time', () => {
    expect(localTimeText(['America/Chicago'], at)).toBe('11:58 (Chicago)');
  });

  it('gives every candidate zone when the zone is uncertain, never one as if sure', () => {
    expect(localTimeText(['America/Toronto', 'America/Halifax'], at)).toBe(
      '12:58 or 13:58, zone uncertain (Toronto or Halifax)',
    );
  });

  it('says so when zones differ in name but not in time', () => {
    expect(localTimeText(['America/New_York', 'America/Toronto'], at)).toBe(
      '12:58 (New York or Toronto)',
    );
  });

  it('says when no zone is known', () => {
    expect(localTimeText([], at)).toBe('local time unknown (no zone)');
  });

  it('follows daylight saving time (US change on 2026-03-08)', () => {
    expect(timeIn('America/New_York', new Date('2026-03-09T17:58:00Z'))).toBe('13:58');
  });
});

describe('a recall, with its date', () => {
  it('names the day, not only the time', () => {
    expect(recallWhen(['America/Denver'], new Date('2026-03-04T17:30:00Z'))).toBe(
      'Wed 4 Mar, 10:30 (Denver)',
    );
  });
  it('gives every candidate zone', () => {
    expect(
      recallWhen(['America/Chicago', 'America/Denver'], new Date('2026-03-04T17:30:00Z')),
    ).toBe('Wed 4 Mar, 11:30 or Wed 4 Mar, 10:30 (Chicago or Denver)');
  });
});

describe('counts and countdowns in words', () => {
  it.each([
    [0, '0 dials'],
    [1, '1 dial'],
    [2, '2 dials'],
  ])('%i dial(s) → %s', (n, words) => expect(plural(n, 'dial')).toBe(words));

  it.each([
    [105, '1:45'],
    [30, '0:30'],
    [0.4, '0:00'],
    [-3, '0:00'],
  ])('%d s → %s', (s, words) => expect(clock(s)).toBe(words));
});
