import { areaCodeStates, stateOfAreaCode } from './time-zones';
import {
  AUTO_DIAL_CONSENT_STATES,
  type AutoDialContact,
  hasWrittenConsent,
  mayAutoDial,
  stateOfZip,
} from './auto-dial';

const CONSENT = { writtenConsentAt: '2026-01-15T10:00:00Z', writtenConsentSource: 'web form #88' };
const NO_CONSENT = { writtenConsentAt: null, writtenConsentSource: null };

const contact = (
  where: Partial<Pick<AutoDialContact, 'state' | 'phoneState' | 'zipState'>>,
  consent: Pick<AutoDialContact, 'writtenConsentAt' | 'writtenConsentSource'> = NO_CONSENT,
): AutoDialContact => ({ state: null, phoneState: null, zipState: null, ...where, ...consent });

describe(mayAutoDial.name, () => {
  // Where the contact is (stored state, area code's, ZIP's), the campaign kind, consent → allowed.
  it.each([
    // Oklahoma and Maryland: any campaign.
    ['stored OK', { state: 'OK' }, 'b2b', false, false],
    ['stored OK', { state: 'OK' }, 'consumer', false, false],
    ['stored OK', { state: 'OK' }, 'b2b', true, true],
    ['stored OK', { state: 'OK' }, 'consumer', true, true],
    ['stored MD', { state: 'MD' }, 'b2b', false, false],
    ['stored MD', { state: 'MD' }, 'consumer', false, false],
    ['stored MD', { state: 'MD' }, 'b2b', true, true],
    ['stored MD', { state: 'MD' }, 'consumer', true, true],
    // Florida: consumer campaigns only.
    ['stored FL', { state: 'FL' }, 'b2b', false, true],
    ['stored FL', { state: 'FL' }, 'consumer', false, false],
    ['stored FL', { state: 'FL' }, 'consumer', true, true],
    ['stored FL', { state: 'FL' }, 'b2b', true, true],
    // A state without such a law, or none known.
    ['stored CA', { state: 'CA' }, 'b2b', false, true],
    ['stored CA', { state: 'CA' }, 'consumer', false, true],
    ['nowhere known', {}, 'consumer', false, true],
    // The area code alone, or against a stored state that says otherwise: the law still binds.
    ['area code OK, no state', { phoneState: 'OK' }, 'b2b', false, false],
    ['area code MD, stored VA', { state: 'VA', phoneState: 'MD' }, 'b2b', false, false],
    ['area code FL, stored GA', { state: 'GA', phoneState: 'FL' }, 'consumer', false, false],
    ['area code FL, stored GA', { state: 'GA', phoneState: 'FL' }, 'b2b', false, true],
    ['area code TX, stored OK', { state: 'OK', phoneState: 'TX' }, 'b2b', false, false],
    ['area code OK, consent', { state: 'TX', phoneState: 'OK' }, 'b2b', true, true],
    // The ZIP's state counts too.
    ['ZIP in MD, stored DC', { state: 'DC', zipState: 'MD' }, 'b2b', false, false],
    // Written as the list wrote it.
    ['stored " ok "', { state: ' ok ' }, 'b2b', false, false],
  ] as const)(
    '%s %j, %s campaign, consent %s → allowed %s',
    (_label, where, kind, consented, allowed) => {
      const answer = mayAutoDial(contact(where, consented ? CONSENT : NO_CONSENT), { kind });
      expect(answer.allowed).toBe(allowed);
      if (allowed) expect(answer.reason).toBeNull();
      else expect(answer.reason).toMatch(/prior express written consent/);
    },
  );

  it.each([
    ['no date', { writtenConsentAt: null, writtenConsentSource: 'signed form' }],
    ['no source', { writtenConsentAt: '2026-01-15T10:00:00Z', writtenConsentSource: null }],
    ['a blank source', { writtenConsentAt: '2026-01-15T10:00:00Z', writtenConsentSource: '  ' }],
    ['a date that is no date', { writtenConsentAt: 'yesterday', writtenConsentSource: 'form' }],
  ])('does not count consent with %s', (_label, consent) => {
    expect(hasWrittenConsent(consent)).toBe(false);
    expect(mayAutoDial(contact({ state: 'OK' }, consent), { kind: 'b2b' }).allowed).toBe(false);
    expect(mayAutoDial(contact({ state: 'FL' }, consent), { kind: 'consumer' }).allowed).toBe(
      false,
    );
  });

  it('counts consent given as a Date', () => {
    const consent = { writtenConsentAt: new Date('2026-01-15'), writtenConsentSource: 'paper' };
    expect(mayAutoDial(contact({ state: 'MD' }, consent), { kind: 'b2b' })).toEqual({
      allowed: true,
      reason: null,
    });
  });

  it('names the state and its law in the reason, and every state that binds', () => {
    expect(mayAutoDial(contact({ state: 'OK' }), { kind: 'b2b' }).reason).toMatch(
      /^Oklahoma \(OK\) law forbids automatic dialing without/,
    );
    expect(mayAutoDial(contact({ state: 'FL' }), { kind: 'consumer' }).reason).toMatch(
      /^Florida \(FL\) law forbids automatic dialing for consumer calls/,
    );
    expect(mayAutoDial(contact({ state: 'MD', phoneState: 'OK' }), { kind: 'b2b' }).reason).toMatch(
      /^Maryland \(MD\) and Oklahoma \(OK\) law/,
    );
  });

  it('knows exactly Oklahoma, Maryland and Florida (consumer only)', () => {
    expect(Object.entries(AUTO_DIAL_CONSENT_STATES).map(([s, r]) => [s, r.consumerOnly])).toEqual([
      ['OK', false],
      ['MD', false],
      ['FL', true],
    ]);
  });
});

describe(stateOfZip.name, () => {
  it.each([
    ['74101', 'US', 'OK'],
    ['74101-1234', null, 'OK'],
    ['21201', 'US', 'MD'],
    ['33101', 'US', 'FL'],
    ['2134', 'US', 'MA'], // a spreadsheet dropped the leading zero
    ['75001', 'FR', null], // a French postcode is no ZIP
    ['K1A 0B1', 'CA', null],
    [null, 'US', null],
  ])('%s (%s) → %s', (zip, country, state) => {
    expect(stateOfZip(zip, country)).toBe(state);
  });
});

describe('area codes of the states with a consent law (the data the rule is fed)', () => {
  it.each([
    ['+14055550100', 'OK'],
    ['+19185550100', 'OK'],
    ['+15805550100', 'OK'],
    ['+15395550100', 'OK'],
    ['+13015550100', 'MD'],
    ['+14105550100', 'MD'],
    ['+14435550100', 'MD'],
    ['+12405550100', 'MD'],
    ['+13055550100', 'FL'],
    ['+18135550100', 'FL'],
    ['+19545550100', 'FL'],
    ['+12125550100', 'NY'],
    ['+18005550100', null], // toll-free: no state
    ['+442071234567', null],
  ])('%s → %s', async (phone, state) => {
    expect(stateOfAreaCode(await areaCodeStates(), phone)).toBe(state);
  });
});
