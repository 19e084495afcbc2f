import fc from 'fast-check';
import { PhoneTable, TooManyPhones } from './phone-table';

describe(PhoneTable.name, () => {
  it('answers as a Map of first lines does, across growth, for any numbers', () => {
    const phone = fc.oneof(
      fc.stringMatching(/^\+[1-9]\d{0,14}$/),
      fc.stringMatching(/^\+[1-9]\d{15,18}$/), // longer than a double holds exactly
      fc.stringMatching(/^\+0\d{1,5}$/), // a leading zero a double would drop
      fc.constantFrom('+12125550100', '+12125550101', '+442079460958', '+1', '+'),
    );
    fc.assert(
      fc.property(fc.array(phone, { maxLength: 400 }), (phones) => {
        const table = new PhoneTable(1_000_000, 4);
        const reference = new Map<string, number>();
        const answers = phones.map((p, i) => {
          const line = i + 2;
          if (!reference.has(p)) reference.set(p, line);
          return [table.firstLine(p, line), reference.get(p)];
        });
        expect(answers.filter(([got, want]) => got !== want)).toEqual([]);
        expect(table.size).toBe(reference.size);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a million numbers of a list', () => {
    const table = new PhoneTable();
    let wrong = 0;
    for (let i = 0; i < 1_000_000; i++) {
      if (table.firstLine(`+1212${String(2_000_000 + i)}`, i + 2) !== i + 2) wrong++;
    }
    expect(wrong).toBe(0);
    expect(table.firstLine('+12122999999', 5)).toBe(1_000_001);
    expect(table.firstLine('+12122000000', 7)).toBe(2);
    expect(table.size).toBe(1_000_000);
  });

  it('refuses more different numbers than its limit', () => {
    const table = new PhoneTable(3);
    table.firstLine('+12125550100', 2);
    table.firstLine('+12125550101', 3);
    table.firstLine('+12125550101', 4);
    table.firstLine('+1212555010200000000', 5);
    expect(() => table.firstLine('+12125550103', 6)).toThrow(TooManyPhones);
    expect(table.firstLine('+12125550100', 7)).toBe(2);
  });
});
