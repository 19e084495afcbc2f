import { activationProblems, canTransition, withKeys } from './campaign-rules';

describe(canTransition.name, () => {
  it.each([
    ['draft', 'active', true],
    ['active', 'paused', true],
    ['paused', 'active', true],
    ['paused', 'closed', true],
    ['draft', 'closed', true],
    ['draft', 'paused', false],
    ['closed', 'active', false],
    ['closed', 'draft', false],
    ['active', 'draft', false],
  ] as const)('%s → %s: %s', (from, to, ok) => {
    expect(canTransition(from, to)).toBe(ok);
  });
});

describe(activationProblems.name, () => {
  const ready = {
    script: 'Hi, I call for Northwind Solar…',
    clientName: 'Northwind Solar',
    callerId: '+12125550100',
    callerCount: 1,
  };

  it('has nothing to say about a ready campaign, whatever the case of the client name', () => {
    expect(activationProblems(ready)).toEqual([]);
    expect(activationProblems({ ...ready, script: 'calling for NORTHWIND solar' })).toEqual([]);
  });

  it('names every missing piece', () => {
    expect(
      activationProblems({
        script: 'Hello there',
        clientName: 'Northwind Solar',
        callerId: null,
        callerCount: 0,
      }),
    ).toEqual([
      'the script does not name the client ("Northwind Solar")',
      'no caller ID number is set',
      'no caller is assigned',
    ]);
    expect(activationProblems({ ...ready, script: '  ' })).toEqual(['the script is empty']);
  });
});

describe(withKeys.name, () => {
  it('makes unique, readable keys', () => {
    expect(
      withKeys([
        { name: 'Savings first!', text: 'a' },
        { name: 'Savings First', text: 'b' },
        { name: '***', text: 'c' },
      ]).map((v) => v.key),
    ).toEqual(['savings-first', 'savings-first-2', 'variant']);
  });
});
