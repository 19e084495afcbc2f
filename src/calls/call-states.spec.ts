import { nextCallState } from './call-states';

describe(nextCallState.name, () => {
  it.each([
    ['dialing', 'ringing', 'ringing'],
    ['ringing', 'answered', 'in_progress'],
    ['in_progress', 'completed', 'completed'],
    ['dialing', 'busy', 'busy'],
    ['ringing', 'no-answer', 'no-answer'],
    ['in_progress', 'ringing', 'in_progress'],
    ['ringing', 'ringing', 'ringing'],
    ['completed', 'ringing', 'completed'],
    ['completed', 'answered', 'completed'],
    ['busy', 'completed', 'busy'],
    ['dialing', 'completed', 'completed'],
  ] as const)('%s + %s → %s', (from, event, to) => {
    expect(nextCallState(from, event)).toBe(to);
  });
});
