import { copyArray, copyValue } from './copy-text';

describe('COPY text encoding', () => {
  it('escapes what would break a line and marks NULL', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyValue(12)).toBe('12');
  });

  it('writes arrays as quoted array literals', () => {
    expect(copyArray([])).toBe('{}');
    expect(copyArray(['America/New_York', 'say "hi"', 'back\\slash'])).toBe(
      '{"America/New_York","say \\\\"hi\\\\"","back\\\\\\\\slash"}',
    );
  });
});
