import twilio from 'twilio';

/** What Twilio should tell us about the dialed leg. */
export const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

/** Twilio accepts at most 14400 s for `timeLimit`; we never allow more than 600. */
export const MAX_TIME_LIMIT_SECONDS = 600;

export interface DialPlan {
  /** The contact's number, E.164, from the database (never from the browser). */
  number: string;
  /** The campaign's caller ID number. */
  callerId: string;
  /** The hard cap in seconds (clamped to 1..600 here). */
  timeLimit: number;
  statusCallback: string;
  /**
   * The `<Dial action>` URL: Twilio requests it when the dial is over (the dialed leg ended, or
   * none was ever made), which is how the service hears of a browser leg that ended before any
   * dialed leg existed. Its answer hangs up, as the end of this TwiML did without it.
   */
  action?: string;
  /** Present when the campaign records: the notice played to the called party, and where the recording is reported. */
  recording?: { noticeUrl: string; statusCallback: string };
}

/** TwiML for the voice webhook: dial the leased contact, capped, with status callbacks on. */
export function dialTwiml(plan: DialPlan): string {
  const r = new twilio.twiml.VoiceResponse();
  const timeLimit = Math.max(1, Math.min(MAX_TIME_LIMIT_SECONDS, Math.floor(plan.timeLimit)));
  const dial = r.dial({
    callerId: plan.callerId,
    timeLimit,
    answerOnBridge: true,
    ...(plan.action ? { action: plan.action, method: 'POST' as const } : {}),
    ...(plan.recording
      ? {
          record: 'record-from-answer-dual' as const,
          recordingStatusCallback: plan.recording.statusCallback,
          recordingStatusCallbackMethod: 'POST' as const,
          recordingStatusCallbackEvent: ['completed'],
        }
      : {}),
  });
  dial.number(
    {
      statusCallback: plan.statusCallback,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: [...STATUS_EVENTS],
      ...(plan.recording ? { url: plan.recording.noticeUrl, method: 'POST' as const } : {}),
    },
    plan.number,
  );
  return r.toString();
}

/** The answer to the Dial action: the call ends, as it did without one. */
export function hangupTwiml(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.hangup();
  return r.toString();
}

/** TwiML that tells the caller why nothing is dialed, then hangs up. */
export function refuseTwiml(message: string): string {
  const r = new twilio.twiml.VoiceResponse();
  r.say(message);
  r.hangup();
  return r.toString();
}

/** TwiML played to the called party before the call connects, when the campaign records. */
export function noticeTwiml(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.say('This call is recorded for quality and training purposes.');
  return r.toString();
}
