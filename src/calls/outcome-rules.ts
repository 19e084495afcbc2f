/** What a caller records at the end of a call. */
export const DISPOSITIONS = [
  'no_answer',
  'busy',
  'voicemail',
  'wrong_number',
  'gatekeeper',
  'not_interested',
  'recall',
  'do_not_call',
  'referral',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Where a contact goes after an outcome. */
export type ContactMove =
  | { kind: 'retry'; attempts: number; nextCallAt: Date }
  | { kind: 'recall'; attempts: number; recallAt: Date }
  | {
      kind: 'closed';
      attempts: number;
      reason: 'finished' | 'attempts_used' | 'wrong_number' | 'do_not_call';
    };

/**
 * The one rule for moving a contact after an outcome:
 * - nobody reached (no answer, busy, voicemail, gatekeeper) counts an attempt: back to the queue
 *   after the campaign's minimum gap while attempts are left, else closed;
 * - a recall is scheduled for the time agreed and does not use up an attempt (someone was reached);
 * - wrong number, not interested, do-not-call and referral close the contact for good.
 */
export function moveContact(
  disposition: Disposition,
  contact: { attempts: number },
  campaign: { maxAttempts: number; minRetryMinutes: number },
  now: Date,
  recallAt?: Date,
): ContactMove {
  switch (disposition) {
    case 'no_answer':
    case 'busy':
    case 'voicemail':
    case 'gatekeeper': {
      const attempts = contact.attempts + 1;
      if (attempts >= campaign.maxAttempts)
        return { kind: 'closed', attempts, reason: 'attempts_used' };
      return {
        kind: 'retry',
        attempts,
        nextCallAt: new Date(now.getTime() + campaign.minRetryMinutes * 60_000),
      };
    }
    case 'recall':
      if (!recallAt) throw new Error('a recall needs its time');
      return { kind: 'recall', attempts: contact.attempts, recallAt };
    case 'wrong_number':
      return { kind: 'closed', attempts: contact.attempts + 1, reason: 'wrong_number' };
    case 'do_not_call':
      return { kind: 'closed', attempts: contact.attempts + 1, reason: 'do_not_call' };
    case 'not_interested':
    case 'referral':
      return { kind: 'closed', attempts: contact.attempts + 1, reason: 'finished' };
  }
}
