import { TwilioError } from '@twilio/voice-sdk';
import { describeVoiceError, VOICE_ERRORS, type VoiceErrorKind } from '../web/src/voice-errors';

/**
 * The console's table of Voice SDK errors (web/src/voice-errors.ts), checked against the SDK
 * installed: a unit test with no database, kept under test/ because web/ is compiled for the
 * browser without jest's types.
 */

type ErrorClass = new (message?: string, error?: object) => Error & { code: number };

/** Every error class the installed SDK defines, by namespace and name. */
const SDK_ERRORS: { name: string; make: ErrorClass; code: number }[] = Object.entries(
  TwilioError as unknown as Record<string, Record<string, ErrorClass>>,
)
  .filter(([, ns]) => typeof ns === 'object' && ns !== null)
  .flatMap(([ns, classes]) =>
    Object.entries(classes).map(([name, make]) => ({
      name: `${ns}.${name}`,
      make,
      code: new make().code,
    })),
  );

/** Codes in the table that the SDK does not define: Twilio's, inside a generic 31000 / 31005. */
const NOT_SDK_CODES = [20103, 20106, 21218];

const EXPECTED: [number, VoiceErrorKind][] = [
  // A refused or expired access token.
  [20101, 'token'],
  [20103, 'token'],
  [20104, 'token'],
  [20151, 'token'],
  [31102, 'token'],
  [31201, 'token'],
  [31202, 'token'],
  [31204, 'token'],
  [31205, 'token'],
  [31207, 'token'],
  // A wrong TwiML App (AppSid), its Voice URL, the account.
  [20106, 'configuration'],
  [21218, 'configuration'],
  [31001, 'configuration'],
  [31002, 'configuration'],
  [31105, 'configuration'],
  [31203, 'configuration'],
  [31404, 'configuration'],
  // The microphone: permission refused, no device.
  [31401, 'microphone'],
  [31402, 'microphone'],
  // The network.
  [31003, 'network'],
  [31005, 'network'],
  [31009, 'network'],
  [53000, 'network'],
  [53001, 'network'],
  [53405, 'network'],
  // The rest.
  [31000, 'other'],
  [31008, 'other'],
  [31100, 'other'],
  [31101, 'other'],
  [31103, 'other'],
  [31104, 'other'],
  [31107, 'other'],
  [31206, 'other'],
  [31209, 'other'],
  [31210, 'other'],
  [31212, 'other'],
  [31400, 'other'],
  [31480, 'other'],
  [31486, 'other'],
  [31603, 'other'],
  [53400, 'other'],
  [53402, 'other'],
];

describe('Voice SDK errors in words (web/src/voice-errors.ts)', () => {
  it('has every code the installed SDK defines, and only those beside a few of Twilio’s', () => {
    expect(SDK_ERRORS.length).toBeGreaterThan(30);
    const sdkCodes = new Set(SDK_ERRORS.map((e) => e.code));
    const tableCodes = Object.keys(VOICE_ERRORS).map(Number);
    expect([...sdkCodes].filter((c) => !tableCodes.includes(c))).toEqual([]);
    expect(tableCodes.filter((c) => !sdkCodes.has(c)).sort()).toEqual(NOT_SDK_CODES);
    // The expected kinds below cover the whole table.
    expect(EXPECTED.map(([c]) => c).sort()).toEqual(tableCodes.sort());
  });

  it.each(EXPECTED)('reads %d as a %s problem', (code, kind) => {
    expect(VOICE_ERRORS[code].kind).toBe(kind);
    expect(describeVoiceError({ code, message: 'whatever the SDK said' })).toEqual({
      kind,
      message: VOICE_ERRORS[code].message,
      code,
    });
  });

  it('reads the SDK’s own error objects by their code', () => {
    for (const { name, make, code } of SDK_ERRORS) {
      const read = describeVoiceError(new make('from the gateway'));
      expect([name, read]).toEqual([name, { ...VOICE_ERRORS[code], code }]);
    }
  });

  it('tells the token, the set-up, the microphone and the network apart in words', () => {
    const words = (code: number) => describeVoiceError({ code }).message;
    expect(words(20104)).toMatch(/access token has expired/);
    expect(words(20101)).toMatch(/refused the phone's access token/);
    expect(words(31202)).toMatch(/API key or secret/);
    expect(words(31001)).toMatch(/TwiML App/);
    expect(words(31002)).toMatch(/TwiML App or its Voice URL/);
    expect(words(31401)).toMatch(/may not use the microphone/);
    expect(words(31402)).toMatch(/No microphone/);
    expect(words(53000)).toMatch(/connection to Twilio was lost/);
    // No two kinds share words.
    const byMessage = new Map<string, Set<VoiceErrorKind>>();
    for (const { kind, message } of Object.values(VOICE_ERRORS)) {
      byMessage.set(message, (byMessage.get(message) ?? new Set()).add(kind));
    }
    for (const kinds of byMessage.values()) expect(kinds.size).toBe(1);
  });

  it('looks inside the SDK’s generic errors for Twilio’s own code', () => {
    const { GeneralErrors } = TwilioError as unknown as Record<string, Record<string, ErrorClass>>;
    // A hang-up from Twilio's gateway with a code the SDK does not know (a call's 31005).
    const wrongApp = new GeneralErrors.ConnectionError('Error sent from gateway in HANGUP', {
      code: 21218,
      message: 'Invalid ApplicationSid',
    });
    expect(describeVoiceError(wrongApp)).toMatchObject({ kind: 'configuration', code: 21218 });
    // A Device's signaling error with such a code (31000).
    const badIssuer = new GeneralErrors.UnknownError('Unknown signaling error', { code: 20103 });
    expect(describeVoiceError(badIssuer)).toMatchObject({ kind: 'token', code: 20103 });
    // An original code the table does not have: the wrapper's own reading.
    const unknown = new GeneralErrors.ConnectionError('Error sent from gateway in HANGUP', {
      code: 99999,
    });
    expect(describeVoiceError(unknown)).toMatchObject({ kind: 'network', code: 31005 });
  });

  it('reads browser media errors that reach the phone unwrapped', () => {
    for (const name of ['NotAllowedError', 'PermissionDeniedError', 'SecurityError']) {
      expect(describeVoiceError({ name, message: '' })).toEqual({
        ...VOICE_ERRORS[31401],
        code: null,
      });
    }
    for (const name of ['NotFoundError', 'NotReadableError', 'OverconstrainedError']) {
      expect(describeVoiceError({ name, message: '' })).toEqual({
        ...VOICE_ERRORS[31402],
        code: null,
      });
    }
  });

  it('says what it does not know as it came', () => {
    expect(describeVoiceError({ code: 12345, message: 'boom' })).toEqual({
      kind: 'other',
      message: 'The phone reported an error (12345): boom',
      code: 12345,
    });
    expect(describeVoiceError(new Error('no Device'))).toEqual({
      kind: 'other',
      message: 'The phone reported an error: no Device',
      code: null,
    });
    expect(describeVoiceError('lost')).toMatchObject({ kind: 'other', message: /: lost$/ });
    expect(describeVoiceError(undefined)).toMatchObject({ message: /: unknown error$/ });
  });
});
