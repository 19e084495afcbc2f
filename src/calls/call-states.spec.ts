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

describe('nextCallState outside the line', () => {
  it.each([
    ['leased', 'answered'],
    ['no_outcome', 'completed'],
    ['released', 'ringing'],
    ['dropped', 'busy'],
  ] as const)('%s does not move on %s', (from, event) => {
    expect(nextCallState(from, event)).toBe(from);
  });
  it('an event that moves nothing leaves any state', () => {
    expect(nextCallState('ringing', null)).toBe('ringing');
  });
});
