/**
 * The Voice SDK's errors in words a caller can act on, sorted by what is wrong: the access token,
 * the Twilio set-up (configuration), the microphone, the network, or something else. A table of
 * the codes `@twilio/voice-sdk` 2.x defines (its `TwilioError` classes; the test checks the table
 * against the installed SDK), read with `enableImprovedSignalingErrorPrecision` on: without it a
 * refused or expired token and a wrong TwiML App arrive as 53000 or 31005, which read as a network
 * problem. No DOM here (jest reads it under Node).
 */

export type VoiceErrorKind = 'token' | 'configuration' | 'microphone' | 'network' | 'other';

export interface VoiceErrorInfo {
  kind: VoiceErrorKind;
  message: string;
}

const ADMIN = 'ask an administrator to check the Twilio settings';
const token = (message: string): VoiceErrorInfo => ({ kind: 'token', message });
const configuration = (message: string): VoiceErrorInfo => ({ kind: 'configuration', message });
const microphone = (message: string): VoiceErrorInfo => ({ kind: 'microphone', message });
const network = (message: string): VoiceErrorInfo => ({ kind: 'network', message });
const other = (message: string): VoiceErrorInfo => ({ kind: 'other', message });

const TOKEN_EXPIRED = token(
  "The phone's access token has expired; reload the page to get a new one.",
);
const TOKEN_REFUSED = token(
  `Twilio refused the phone's access token; ${ADMIN} (API key and secret).`,
);
const MIC_REFUSED = microphone(
  'The browser may not use the microphone: allow it for this site (the icon in the address bar), then call again.',
);
const MIC_MISSING = microphone(
  'No microphone could be opened: plug one in or close the program using it, then call again.',
);
const CONNECTION_LOST = network(
  'The connection to Twilio was lost; check the network and call again.',
);
const MALFORMED = other(
  'The phone sent Twilio a request it could not read; reload the page and call again.',
);
const BROWSER_AUDIO = other(
  "The browser could not set up the call's audio; reload the page, or use an up-to-date Chrome, Edge or Firefox.",
);

/** SDK error code → kind and words. Every code the SDK defines is here (the test checks it). */
export const VOICE_ERRORS: Readonly<Record<number, VoiceErrorInfo>> = Object.freeze({
  // The access token (AuthorizationErrors, SignatureValidationErrors, the token's own 311xx).
  20101: TOKEN_REFUSED, // AccessTokenInvalid (the Device's word for 31204)
  20104: TOKEN_EXPIRED, // AccessTokenExpired (the Device's word for 31205)
  20151: TOKEN_REFUSED, // AuthenticationFailed (the Device's word for 31201)
  20103: TOKEN_REFUSED, // not an SDK code: "Invalid Access Token issuer/subject", as 21218 below
  31102: token('The phone reached Twilio without its access token; reload the page.'), // AuthorizationTokenMissingError
  31201: TOKEN_REFUSED, // AuthorizationError
  31202: token(
    `Twilio could not verify the phone's access token (its account SID, API key or secret is wrong); ${ADMIN}.`,
  ), // AccessTokenSignatureValidationFailed
  31204: TOKEN_REFUSED, // InvalidJWTTokenError
  31205: TOKEN_EXPIRED, // JWTTokenExpiredError
  31207: token(`The phone's access token lives longer than Twilio allows; ${ADMIN}.`), // JWTTokenExpirationTooLongError

  // The Twilio set-up: the TwiML App, its Voice URL, the account.
  31001: configuration(
    `Twilio knows no TwiML App of this phone's (TWILIO_TWIML_APP_SID is wrong, or the app was deleted); ${ADMIN}.`,
  ), // ApplicationNotFoundError
  31002: configuration(
    `Twilio declined the call: the TwiML App or its Voice URL is likely set up wrong (Twilio's debugger says why); ${ADMIN}.`,
  ), // ConnectionDeclinedError
  31105: configuration(`Twilio refused the phone's identity; ${ADMIN}.`), // InvalidClientNameError
  31203: configuration(`The Twilio account is not valid (suspended or closed); ${ADMIN}.`), // NoValidAccountError
  31404: configuration(
    `Twilio found nothing to connect the call to (the TwiML App may have no Voice URL); ${ADMIN}.`,
  ), // ClientErrors.NotFound
  // Not an SDK code: Twilio's "Invalid ApplicationSid", which can only come as the original error
  // of a generic 31000 or 31005 (a code from Twilio the SDK does not know).
  21218: configuration(`Twilio refused the TwiML App (invalid ApplicationSid); ${ADMIN}.`),
  // Not an SDK code either: "Invalid Access Token grants" (the Voice grant's TwiML App, say).
  20106: configuration(
    `Twilio refused what the phone's access token grants (its TwiML App); ${ADMIN}.`,
  ),

  // The microphone (UserMediaErrors).
  31401: MIC_REFUSED, // PermissionDeniedError
  31402: MIC_MISSING, // AcquisitionFailedError

  // The network: signaling and media connections.
  31003: network('Twilio did not answer in time; check the network and call again.'), // ConnectionTimeoutError
  31005: CONNECTION_LOST, // GeneralErrors.ConnectionError
  31009: CONNECTION_LOST, // TransportError
  53000: CONNECTION_LOST, // SignalingErrors.ConnectionError
  53001: network('The computer lost its connection to Twilio; check the network and call again.'), // ConnectionDisconnected
  53405: network(
    "The call's audio could not get through (the media connection failed); check the network or firewall and call again.",
  ), // MediaErrors.ConnectionError

  // Anything else.
  31000: other(
    "Twilio reported an unknown error; call again, and tell an administrator if it repeats (Twilio's debugger has the details).",
  ), // UnknownError
  31008: other('The call was cancelled before it was answered.'), // CallCancelledError
  31100: MALFORMED, // MalformedRequestError
  31101: MALFORMED, // MissingParameterArrayError
  31103: MALFORMED, // MaxParameterLengthExceededError
  31104: MALFORMED, // InvalidBridgeTokenError
  31107: MALFORMED, // ReconnectParameterInvalidError
  31206: other('Too many requests to Twilio; wait a moment and call again.'), // RateExceededError
  31209: other('Twilio refused to reconnect the call; call again.'), // ReconnectAttemptError
  31210: MALFORMED, // CallMessageEventTypeInvalidError
  31212: MALFORMED, // PayloadSizeExceededError
  31400: MALFORMED, // ClientErrors.BadRequest
  31480: other('The number called is unavailable right now.'), // TemporarilyUnavailable
  31486: other('The number called is busy.'), // BusyHere
  31603: other('The call was declined.'), // SIPServerErrors.Decline
  53400: BROWSER_AUDIO, // ClientLocalDescFailed
  53402: BROWSER_AUDIO, // ClientRemoteDescFailed
});

/** Browser media errors (`getUserMedia`'s DOMException names) that reach the phone unwrapped. */
const MIC_REFUSED_NAMES = ['NotAllowedError', 'PermissionDeniedError', 'SecurityError'];
const MIC_MISSING_NAMES = [
  'NotFoundError',
  'DevicesNotFoundError',
  'NotReadableError',
  'TrackStartError',
  'OverconstrainedError',
];

/**
 * The SDK wraps a code from Twilio it does not know in a generic error (31000 from the Device,
 * 31005 from a call's hang-up) that keeps the original: its code, when the table has it, says more.
 */
const GENERIC = [31000, 31005];

/** The code an error is read by: its own, or a generic wrapper's original code the table knows. */
function codeOf(err: { code?: unknown; originalError?: unknown }): number | null {
  const code = typeof err.code === 'number' ? err.code : null;
  if (
    code !== null &&
    GENERIC.includes(code) &&
    typeof err.originalError === 'object' &&
    err.originalError !== null
  ) {
    const inner = (err.originalError as { code?: unknown }).code;
    if (typeof inner === 'number' && inner !== code && Object.hasOwn(VOICE_ERRORS, inner)) {
      return inner;
    }
  }
  return code;
}

/**
 * A Voice SDK error (a `TwilioError`), a browser media error or anything thrown, as its kind and
 * words, with the code it was read by (null when it had none).
 */
export function describeVoiceError(e: unknown): VoiceErrorInfo & { code: number | null } {
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    originalError?: unknown;
  };
  const code = codeOf(err);
  if (code !== null && Object.hasOwn(VOICE_ERRORS, code)) return { ...VOICE_ERRORS[code], code };
  const name = typeof err.name === 'string' ? err.name : '';
  if (MIC_REFUSED_NAMES.includes(name)) return { ...MIC_REFUSED, code };
  if (MIC_MISSING_NAMES.includes(name)) return { ...MIC_MISSING, code };
  const what =
    typeof err.message === 'string' && err.message
      ? err.message
      : typeof e === 'string' && e
        ? e
        : 'unknown error';
  return {
    kind: 'other',
    message: `The phone reported an error${code !== null ? ` (${code})` : ''}: ${what}`,
    code,
  };
}
