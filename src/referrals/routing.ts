/** A client's sales rep as routing sees it. */
export interface RoutableRep {
  id: string;
  name: string;
  /** What the rep sells best, in a few words, e.g. "solar panels". */
  specialties: string[];
  /** Two-letter state codes ("TX") and ZIP prefixes of 1 to 5 digits ("787"). */
  territories: string[];
  available: boolean;
  /** The client's fallback rep when nobody matches. */
  isDefault: boolean;
  openReferrals: number;
}

/** Where the referral's contact is and what they need. */
export interface RoutingInput {
  state?: string | null;
  zip?: string | null;
  product?: string | null;
  need: string;
}

/** The chosen rep (null only when no rep is available) and why, in plain words. */
export interface RoutingDecision {
  repId: string | null;
  reason: string;
  matched: { territory: boolean; specialties: string[] };
}

/** Points for a territory match, plus the length of the longest matching ZIP prefix. */
const TERRITORY_POINTS = 10;
/** Points per matching specialty. */
const SPECIALTY_POINTS = 5;
/** Specialty words shorter than this are ignored ("of", "AC"). */
const MIN_WORD_LENGTH = 3;

/** Lower-cased words: runs of letters and digits. */
function words(text: string | null | undefined): string[] {
  return (text ?? '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/** The word without a trailing "s" (a simple plural), unless that would leave under 3 letters. */
function singular(word: string): string {
  return word.length > MIN_WORD_LENGTH && word.endsWith('s') ? word.slice(0, -1) : word;
}

/** The contact's ZIP as its first 5 digits, or null when it has fewer than 5. */
function zip5(zip: string | null | undefined): string | null {
  const digits = (zip ?? '').replace(/\D/g, '').slice(0, 5);
  return digits.length === 5 ? digits : null;
}

/** The contact's state as an upper-case two-letter code, or null. */
function stateCode(state: string | null | undefined): string | null {
  const s = (state ?? '').trim().toUpperCase();
  return /^[A-Z]{2}$/.test(s) ? s : null;
}

interface TerritoryMatch {
  /** The rep's territory as shown in the reason: the longest ZIP prefix, else the state. */
  label: string;
  zipLength: number;
}

function matchTerritory(
  territories: string[],
  state: string | null,
  zip: string | null,
): TerritoryMatch | null {
  let best: TerritoryMatch | null = null;
  for (const raw of territories) {
    const t = raw.trim().toUpperCase();
    if (/^[A-Z]{2}$/.test(t)) {
      if (t === state && best === null) best = { label: t, zipLength: 0 };
    } else if (/^\d{1,5}$/.test(t)) {
      if (zip !== null && zip.startsWith(t) && (best === null || t.length > best.zipLength)) {
        best = { label: t, zipLength: t.length };
      }
    }
  }
  return best;
}

/** The rep's specialties all of whose significant words occur in the text, deduplicated. */
function matchSpecialties(specialties: string[], text: Set<string>): string[] {
  const matched: string[] = [];
  const seen = new Set<string>();
  for (const specialty of specialties) {
    const needed = words(specialty)
      .filter((w) => w.length >= MIN_WORD_LENGTH)
      .map(singular);
    const key = needed.join(' ');
    if (needed.length === 0 || seen.has(key)) continue;
    if (needed.every((w) => text.has(w))) {
      seen.add(key);
      matched.push(specialty.trim());
    }
  }
  return matched;
}

interface Scored {
  rep: RoutableRep;
  score: number;
  territory: TerritoryMatch | null;
  specialties: string[];
}

/** Fewest open referrals first, then by name, then by id: always the same order. */
function byWorkload(a: RoutableRep, b: RoutableRep): number {
  return (
    a.openReferrals - b.openReferrals || compareText(a.name, b.name) || compareText(a.id, b.id)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function quoted(items: string[]): string {
  const q = items.map((s) => `"${s}"`);
  return q.length <= 1 ? q.join('') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** Explains how the winner was picked among reps with the same score. */
function tieNote(winner: RoutableRep, tied: RoutableRep[]): string {
  if (tied.length <= 1) return '';
  const fewest = tied.filter((r) => r.openReferrals === winner.openReferrals);
  if (fewest.length === 1) return `; fewest open referrals among ${tied.length} tied`;
  const sameName = fewest.filter((r) => r.name === winner.name);
  if (sameName.length === 1) {
    return `; first by name among ${fewest.length} tied with the fewest open referrals`;
  }
  return `; first by id among ${sameName.length} tied on open referrals and name`;
}

/**
 * Picks the client's sales rep best placed to take a referral. The rules:
 *
 * - Only available reps are candidates.
 * - Territory: a rep's territory matches when it is a two-letter state code equal to the
 *   contact's state (any case), or a ZIP prefix of 1 to 5 digits that the contact's ZIP (its first
 *   5 digits) starts with. A longer matching ZIP prefix is more specific.
 * - Specialty: matches when every word of it (lower-cased, split on anything but letters and
 *   digits, words under 3 characters ignored) occurs as a word of the need or the product. A word
 *   also matches its simple plural ("panel" and "panels"). A specialty made only of short words
 *   never matches.
 * - Score: 10 points for a territory match plus the length of the longest matching ZIP prefix (0
 *   for a state match), and 5 points per matching specialty.
 * - The highest score above 0 wins; ties go to the fewest open referrals, then the name, then the
 *   id, so the choice is always the same.
 * - When no available rep scores above 0: the client's default rep if available; otherwise the
 *   available rep with the fewest open referrals (then name, then id).
 * - When no rep is available, repId is null and the reason says so; the reason is never empty.
 */
export function routeReferral(input: RoutingInput, reps: RoutableRep[]): RoutingDecision {
  const noMatch = (): RoutingDecision['matched'] => ({ territory: false, specialties: [] });
  if (reps.length === 0) {
    return { repId: null, reason: 'the client has no sales reps', matched: noMatch() };
  }
  const available = reps.filter((r) => r.available);
  if (available.length === 0) {
    return { repId: null, reason: 'no rep is available', matched: noMatch() };
  }

  const state = stateCode(input.state);
  const zip = zip5(input.zip);
  const text = new Set([...words(input.need), ...words(input.product)].map(singular));
  const scored: Scored[] = available.map((rep) => {
    const territory = matchTerritory(rep.territories, state, zip);
    const specialties = matchSpecialties(rep.specialties, text);
    const score =
      (territory ? TERRITORY_POINTS + territory.zipLength : 0) +
      SPECIALTY_POINTS * specialties.length;
    return { rep, score, territory, specialties };
  });

  const top = Math.max(...scored.map((s) => s.score));
  if (top > 0) {
    const tied = scored.filter((s) => s.score === top);
    tied.sort((a, b) => byWorkload(a.rep, b.rep));
    const best = tied[0];
    const parts: string[] = [];
    if (best.territory) parts.push(`territory ${best.territory.label}`);
    if (best.specialties.length === 1) parts.push(`specialty ${quoted(best.specialties)}`);
    if (best.specialties.length > 1) parts.push(`specialties ${quoted(best.specialties)}`);
    return {
      repId: best.rep.id,
      reason:
        parts.join(' and ') +
        tieNote(
          best.rep,
          tied.map((s) => s.rep),
        ),
      matched: { territory: best.territory !== null, specialties: best.specialties },
    };
  }

  const defaults = reps.filter((r) => r.isDefault);
  const availableDefault = defaults.filter((r) => r.available).sort(byWorkload)[0];
  if (availableDefault) {
    return {
      repId: availableDefault.id,
      reason: "no rep matches; the client's default rep",
      matched: noMatch(),
    };
  }
  const leastBusy = [...available].sort(byWorkload)[0];
  return {
    repId: leastBusy.id,
    reason: `no rep matches and ${
      defaults.length > 0 ? 'the default rep is unavailable' : 'there is no default rep'
    }; the available rep with fewest open referrals`,
    matched: noMatch(),
  };
}
