/**
 * The numbers of one import and the line each was first seen on, for finding duplicates within the
 * file as it streams. An open-addressing hash table on typed arrays: an E.164 number of up to 15
 * digits is exact as a double, so an entry costs 12 bytes (24 at most with the table's slack),
 * 24 MB for a million numbers, where a Map of strings took several times that and a lot of
 * garbage collection. Longer numbers (rare: E.164 allows 15 digits, libphonenumber a few more) go
 * to a Map.
 */
export class PhoneTable {
  private keys: Float64Array;
  private lines: Int32Array;
  private mask: number;
  private used = 0;
  private readonly long = new Map<string, number>();

  /** Throws TooManyPhones past `max` different numbers (which bounds the memory it takes). */
  constructor(
    private readonly max = 5_000_000,
    initialSlots = 1 << 16,
  ) {
    this.keys = new Float64Array(initialSlots);
    this.lines = new Int32Array(initialSlots);
    this.mask = initialSlots - 1;
  }

  get size(): number {
    return this.used + this.long.size;
  }

  /**
   * The line `phone` (E.164) was first seen on; when it was not seen yet, records it at `line` and
   * returns `line`.
   */
  firstLine(phone: string, line: number): number {
    // '+' and 1 to 15 digits, not starting with 0 (which a double would drop); the key in one pass
    // over the digits, without a substring or Number().
    const length = phone.length;
    if (length > 16 || length < 2 || phone.charCodeAt(0) !== 43 || phone.charCodeAt(1) === 48) {
      return this.longFirstLine(phone, line);
    }
    let key = 0;
    for (let j = 1; j < length; j++) {
      const digit = phone.charCodeAt(j) - 48;
      if (digit < 0 || digit > 9) return this.longFirstLine(phone, line);
      key = key * 10 + digit;
    }
    const keys = this.keys;
    const mask = this.mask;
    let i = hash(key) & mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.lines[i];
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    this.checkRoom();
    if (this.used + 1 > (keys.length * 7) / 10) {
      this.grow();
      return this.firstLine(phone, line);
    }
    keys[i] = key;
    this.lines[i] = line;
    this.used++;
    return line;
  }

  private longFirstLine(phone: string, line: number): number {
    const seen = this.long.get(phone);
    if (seen !== undefined) return seen;
    this.checkRoom();
    this.long.set(phone, line);
    return line;
  }

  private checkRoom(): void {
    if (this.size >= this.max) throw new TooManyPhones(this.max);
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldLines = this.lines;
    const slots = oldKeys.length * 2;
    const keys = new Float64Array(slots);
    const lines = new Int32Array(slots);
    const mask = slots - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j];
      if (key === 0) continue;
      let i = hash(key) & mask;
      while (keys[i] !== 0) i = (i + 1) & mask;
      keys[i] = key;
      lines[i] = oldLines[j];
    }
    this.keys = keys;
    this.lines = lines;
    this.mask = mask;
  }
}

export class TooManyPhones extends Error {
  constructor(readonly max: number) {
    super(`more than ${max} different phone numbers`);
    this.name = 'TooManyPhones';
  }
}

/** Mixes the low and high 32 bits of an integer below 2^53 (`>>> 0` truncates, no division). */
function hash(key: number): number {
  let h = Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
