import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { ReferralContact } from './referral-types';

/** The shortest need description, in characters, that a stranger can act on. */
export const MIN_NEED_LENGTH = 40;

/** One reason a referral is not complete: the field at fault and what to do, in plain words. */
export interface CompletenessProblem {
  field: string;
  message: string;
}

/** Trims and collapses runs of whitespace (spaces, tabs, new lines) to one space. */
function normalize(value: string | null | undefined): string {
  return (value ?? '').replace(/\s+/g, ' ').trim();
}

/** A phone number valid for its country, US assumed when it has no +country code. */
function isValidPhone(phone: string): boolean {
  return parsePhoneNumberFromString(phone, 'US')?.isValid() ?? false;
}

/** something@something.tld, without spaces, the top-level domain two letters or more. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;

function isPlausibleEmail(email: string): boolean {
  return EMAIL.test(email);
}

/** An http(s) address, https:// assumed when no scheme is given, whose host contains a dot. */
function isPlausibleWebsite(website: string): boolean {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return /^[^.]+\.[^.]/.test(url.hostname);
}

/**
 * Lists what a referral lacks before a client's sales rep can act on it; an empty list means it is
 * complete. The rules:
 *
 * - need: at least `minNeedLength` characters (40 by default) once trimmed and with runs of
 *   whitespace counted as one space, so a stranger understands it;
 * - contact.name, contact.title and contact.company: not blank;
 * - a way to reach the contact: a valid phone number (US assumed when it has no +country code), or
 *   a plausible email (something@something.tld), or a website (https:// assumed when no scheme is
 *   given; its host must contain a dot). When none is usable and a phone number was given, the
 *   problem is on contact.phone and says that number is not valid; otherwise it is on contact.
 *
 * An invalid phone number does not matter when a usable email or website is there.
 */
export function completenessProblems(
  r: { need: string; contact: ReferralContact },
  minNeedLength: number = MIN_NEED_LENGTH,
): CompletenessProblem[] {
  const problems: CompletenessProblem[] = [];
  const need = normalize(r.need);
  if (need.length < minNeedLength) {
    problems.push({
      field: 'need',
      message: `describe the need in at least ${minNeedLength} characters so a stranger understands it (now ${need.length})`,
    });
  }
  const contact = r.contact ?? {};
  if (!normalize(contact.name)) {
    problems.push({ field: 'contact.name', message: "give the contact's name" });
  }
  if (!normalize(contact.title)) {
    problems.push({ field: 'contact.title', message: "give the contact's job title" });
  }
  if (!normalize(contact.company)) {
    problems.push({ field: 'contact.company', message: "give the contact's company" });
  }
  const phone = normalize(contact.phone);
  const email = normalize(contact.email);
  const website = normalize(contact.website);
  const reachable =
    (phone !== '' && isValidPhone(phone)) ||
    (email !== '' && isPlausibleEmail(email)) ||
    (website !== '' && isPlausibleWebsite(website));
  if (!reachable) {
    problems.push(
      phone !== ''
        ? {
            field: 'contact.phone',
            message: `the phone number "${phone}" is not valid; give a valid phone, an email or a website`,
          }
        : { field: 'contact', message: 'needs a valid phone, an email or a website' },
    );
  }
  return problems;
}
