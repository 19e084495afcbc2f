import { periodParts } from './period';

describe(periodParts.name, () => {
  it.each([
    [
      'all time: every month, no days',
      undefined,
      undefined,
      { monthFrom: null, monthTo: null },
      null,
    ],
    [
      'whole months only',
      '2026-01-01',
      '2026-03-31',
      { monthFrom: '2026-01-01', monthTo: '2026-04-01' },
      { from: '2026-01-01', to: '2026-03-31', before: '2026-01-01', after: '2026-04-01' },
    ],
    [
      'edge days on both sides',
      '2026-01-15',
      '2026-04-10',
      { monthFrom: '2026-02-01', monthTo: '2026-04-01' },
      { from: '2026-01-15', to: '2026-04-10', before: '2026-02-01', after: '2026-04-01' },
    ],
    [
      'across a year end, open-ended',
      '2025-12-02',
      undefined,
      { monthFrom: '2026-01-01', monthTo: null },
      { from: '2025-12-02', to: null, before: '2026-01-01', after: null },
    ],
    [
      'up to the end of February of a leap year',
      undefined,
      '2028-02-29',
      { monthFrom: null, monthTo: '2028-03-01' },
      { from: null, to: '2028-02-29', before: null, after: '2028-03-01' },
    ],
    [
      'not the end of February',
      undefined,
      '2028-02-28',
      { monthFrom: null, monthTo: '2028-02-01' },
      { from: null, to: '2028-02-28', before: null, after: '2028-02-01' },
    ],
  ])('%s', (_, from, to, months, days) => {
    expect(periodParts(from, to)).toEqual({ months, days });
  });

  it.each([
    ['2026-03-02', '2026-03-02'],
    ['2026-03-01', '2026-03-30'],
    ['2026-03-15', '2026-04-14'],
  ])('reads only days when %s to %s holds no whole month', (from, to) => {
    expect(periodParts(from, to)).toEqual({
      months: null,
      days: { from, to, before: null, after: null },
    });
  });

  it('covers every day of a period exactly once', () => {
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const start = new Date('2025-11-20T00:00:00Z');
    for (let a = 0; a < 120; a += 7) {
      for (let b = a; b < a + 100; b += 5) {
        const from = day(new Date(start.getTime() + a * 86400000));
        const to = day(new Date(start.getTime() + b * 86400000));
        const { months, days } = periodParts(from, to);
        for (let t = a - 40; t <= b + 40; t++) {
          const d = day(new Date(start.getTime() + t * 86400000));
          const month = `${d.slice(0, 7)}-01`;
          const inMonths =
            months !== null &&
            (months.monthFrom === null || month >= months.monthFrom) &&
            (months.monthTo === null || month < months.monthTo);
          const inDays =
            days !== null &&
            (days.from === null || d >= days.from) &&
            (days.to === null || d <= days.to) &&
            ((days.before === null && days.after === null) ||
              (days.before !== null && d < days.before) ||
              (days.after !== null && d >= days.after));
          expect([from, to, d, Number(inMonths) + Number(inDays)]).toEqual([
            from,
            to,
            d,
            d >= from && d <= to ? 1 : 0,
          ]);
        }
      }
    }
  });
});
