import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** A phone number in E.164 (`+13105551234`), or null when it is not a valid number. */
export function toE164(raw: string, defaultCountry = 'US'): string | null {
  const text = raw.trim();
  if (!text || text.length > 40) return null;
  const parsed = parsePhoneNumberFromString(text, defaultCountry as CountryCode);
  return parsed && parsed.isValid() ? parsed.number : null;
}
