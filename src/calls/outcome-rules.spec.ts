import { moveContact } from './outcome-rules';

const campaign = { maxAttempts: 3, minRetryMinutes: 240 };
const now = new Date('2026-03-02T15:00:00Z');

describe(moveContact.name, () => {
  it.each(['no_answer', 'busy', 'voicemail', 'gatekeeper'] as const)(
    '%s: back to the queue after the minimum gap',
    (d) => {
      expect(moveContact(d, { attempts: 0 }, campaign, now)).toEqual({
        kind: 'retry',
        attempts: 1,
        nextCallAt: new Date('2026-03-02T19:00:00Z'),
      });
    },
  );

  it('closes a contact whose last attempt went unanswered', () => {
    expect(moveContact('no_answer', { attempts: 2 }, campaign, now)).toEqual({
      kind: 'closed',
      attempts: 3,
      reason: 'attempts_used',
    });
  });

  it('schedules a recall without using up an attempt', () => {
    const at = new Date('2026-03-10T16:00:00Z');
    expect(moveContact('recall', { attempts: 2 }, campaign, now, at)).toEqual({
      kind: 'recall',
      attempts: 2,
      recallAt: at,
    });
  });

  it.each([
    ['wrong_number', 'wrong_number'],
    ['do_not_call', 'do_not_call'],
    ['not_interested', 'finished'],
    ['referral', 'finished'],
  ] as const)('%s closes the contact for good', (d, reason) => {
    expect(moveContact(d, { attempts: 0 }, campaign, now)).toEqual({
      kind: 'closed',
      attempts: 1,
      reason,
    });
  });
});
