/**
 * The stable, machine-readable reasons an error body (and a refused extension) carries in `code`.
 * The console branches on these, never on the wording of `message`. Only ever add to this list:
 * a code once shipped keeps its meaning.
 */
export const ERROR_CODES = [
  // Generic: the body's code when an error gives no specific reason, from its HTTP status.
  /**
   * 400: the request is wrong; `details` names the fields (class-validator failures included;
   * empty for a body that could not be read at all, such as malformed JSON).
   */
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  /**
   * 503: the service is short of database connections (none came free within
   * `DB_POOL_ACQUIRE_TIMEOUT_MS`) or of stream slots (`STREAMS_MAX`): retry after `Retry-After`.
   */
  'busy',
  'internal',

  // The caller's loop: claim, dial, call, outcome.
  /** The hold on the contact has ended (expired, released, dropped): take the next contact. */
  'lease_lost',
  /** The caller is already on another call, or this call is still on the line: hang up first. */
  'call_live',
  /** Too late for an outcome: the wrap-up window (or the lease) has ended. */
  'wrap_up_over',
  /** It is outside calling hours in (one of) the contact's time zone(s) now. */
  'outside_calling_hours',
  /** The campaign is not active (paused, closed) any more. */
  'campaign_not_active',
  /** The caller is no longer assigned to the campaign. */
  'not_on_campaign',
  /** The number is on a do-not-call list; its lease is dropped. */
  'on_do_not_call',
  /** The state's limit of calls to one number in 24 hours is reached. */
  'daily_limit',
  /** The call already has another outcome. */
  'outcome_recorded',
  /** Taking back a dial after the provider has the call: hang up instead. */
  'call_placed',
  /** Taking back a dial after taking another contact since. */
  'another_contact_taken',
  /** The contact asked for may not be called now (e.g. one's own recall that is not due). */
  'no_contact_now',

  // A refused extension (`POST /calls/:callId/extend` answers 200 {granted: false, code}).
  /** The campaign's allowance of extended calls is used up. */
  'allowance_used',
  /** The call is not on the line. */
  'not_live',
  /** The talk cap has passed: the call is being ended. */
  'cap_passed',

  // The phone (simulated and Twilio webhooks).
  /** An event of the simulated phone for a call that has not been dialed. */
  'not_dialed',
  /** The provider could not place the call (the voice webhook refused it). */
  'call_not_placed',
  /** A provider webhook for a call this service does not know. */
  'unknown_call',
  /** A provider webhook without a valid signature. */
  'bad_signature',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The codes of a refused extension. */
export type ExtendRefusalCode = Extract<ErrorCode, 'allowance_used' | 'not_live' | 'cap_passed'>;

/** The generic code of an error with no specific reason, from its HTTP status. */
export function genericCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'busy';
    default:
      // Fastify's other 4xx (a bad URL, an over-long parameter) are the request's fault too.
      return status >= 500 ? 'internal' : 'invalid';
  }
}
