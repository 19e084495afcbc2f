import { XMLParser } from 'fast-xml-parser';
import jwt from 'jsonwebtoken';
import twilio from 'twilio';
import { CapEnforcer } from '../src/calls/telephony/cap-enforcer';
import { identityOf } from '../src/calls/telephony/telephony';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';
import { TWILIO_BASE, TWILIO_CREDS } from './twilio-fixtures';

const BASE = TWILIO_BASE;
const CREDS = TWILIO_CREDS;

/** Twilio's REST API, faked at its HTTP client: records requests, answers like Twilio. */
class FakeTwilioHttp {
  readonly requests: { method: string; uri: string; data: Record<string, string> }[] = [];
  request(opts: { method: string; uri: string; data?: Record<string, string> }) {
    this.requests.push({ method: opts.method, uri: opts.uri, data: opts.data ?? {} });
    const sid = /Calls\/(CA\w+)\.json/.exec(opts.uri)?.[1] ?? 'CA0';
    return Promise.resolve({
      statusCode: 200,
      body: JSON.stringify({ sid, status: 'completed' }),
      headers: {},
    });
  }
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
});
const sid = (n: number) => 'CA' + n.toString(16).padStart(32, '0');

describe('Twilio telephony (no network: signed with the twilio package, REST faked)', () => {
  let ctx: TestContext;
  const rest = new FakeTwilioHttp();
  let seq = 0;
  beforeAll(async () => {
    ctx = await TestContext.create(
      { twilio: CREDS, publicBaseUrl: BASE },
      { twilioHttpClient: rest },
    );
  });
  afterAll(() => ctx.close());

  /** A signed webhook request, as Twilio sends it (`url` = what Twilio requested). */
  const twilioPost = (path: string, params: Record<string, string>, signUrl = BASE + path) =>
    ctx
      .http()
      .post(path)
      .type('form')
      .set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature(CREDS.authToken, signUrl, params),
      )
      .send(new URLSearchParams(params).toString());

  const post = (u: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(u.token, { type: 'bearer' }).send(body);

  /** A claimed and dialed call of a fresh campaign. */
  async function dialedCall(fields: Record<string, unknown> = {}) {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 2, fields });
    const n = 4100 + ++seq;
    await ctx.importCsv(campaignId, `phone,state\n(213) 555-${n},CA\n`);
    const [caller, other] = callers;
    const next = await post(caller, '/calls/next', { campaignId }).expect(200);
    const callId = next.body.callId as string;
    const dialed = await post(caller, `/calls/${callId}/dial`).expect(200);
    expect(dialed.body).toMatchObject({ mode: 'twilio', params: { callId } });
    return { callId, caller, other, phone: next.body.contact.phone as string };
  }

  const voiceParams = (callId: string, caller: TestUser, parentSid: string) => ({
    CallSid: parentSid,
    AccountSid: CREDS.accountSid,
    From: `client:${identityOf(caller.id)}`,
    To: '+19005550199', // what a tampered browser might send: ignored
    Direction: 'inbound',
    callId,
  });

  const callRow = async (callId: string) =>
    (
      await sql<{
        state: string;
        parent_call_sid: string | null;
        provider_call_sid: string | null;
        talk_seconds: number | null;
        hit_cap: boolean;
        ended_at: Date | null;
      }>(
        ctx.dbUrl,
        'SELECT state, parent_call_sid, provider_call_sid, talk_seconds, hit_cap, ended_at FROM calls WHERE id = $1',
        [callId],
      )
    )[0];

  const eventsOf = (callId: string) =>
    sql<{ call_sid: string; sequence_number: number; status: string; applied: boolean }>(
      ctx.dbUrl,
      'SELECT call_sid, sequence_number, status, applied FROM call_events WHERE call_id = $1 ORDER BY sequence_number',
      [callId],
    );

  it('gives a caller a 15-minute access token with an outgoing-only Voice grant for the TwiML App', async () => {
    const caller = await ctx.newUser('caller');
    const res = await ctx
      .http()
      .get('/telephony/token')
      .auth(caller.token, { type: 'bearer' })
      .expect(200);
    expect(res.body).toMatchObject({
      mode: 'twilio',
      identity: identityOf(caller.id),
      ttlSeconds: 900,
    });
    const claims = jwt.verify(res.body.token as string, CREDS.apiKeySecret) as jwt.JwtPayload & {
      grants: {
        identity: string;
        voice: { outgoing: { application_sid: string }; incoming?: unknown };
      };
    };
    expect(claims.iss).toBe(CREDS.apiKeySid);
    expect(claims.sub).toBe(CREDS.accountSid);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.grants.identity).toBe(identityOf(caller.id));
    expect(claims.grants.identity).toMatch(/^user_[0-9a-f]{32}$/);
    expect(claims.grants.voice.outgoing.application_sid).toBe(CREDS.twimlAppSid);
    expect(claims.grants.voice.incoming).toBeUndefined();
    // Not for anyone else, and not signed by anything but the API key secret.
    expect(() => jwt.verify(res.body.token as string, 'another-secret')).toThrow();
    const am = await ctx.newUser('account_manager');
    await ctx.http().get('/telephony/token').auth(am.token, { type: 'bearer' }).expect(403);
  });

  it('answers a signed voice request with TwiML that dials the leased number, capped, with status callbacks', async () => {
    const { callId, caller, phone } = await dialedCall({
      extendAllowancePct: 0,
      talkCapSeconds: 240,
    });
    const res = await twilioPost(
      '/telephony/twilio/voice',
      voiceParams(callId, caller, sid(1)),
    ).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    const dial = xml.parse(res.text).Response.Dial;
    expect(dial['@callerId']).toBe('+12125550100');
    expect(dial['@timeLimit']).toBe('240');
    expect(dial['@answerOnBridge']).toBe('true');
    expect(dial['@record']).toBeUndefined();
    const number = dial.Number;
    expect(number['#text']).toBe(phone);
    expect(number['#text']).not.toBe('+19005550199');
    expect(number['@statusCallback']).toBe(`${BASE}/telephony/twilio/status?callId=${callId}`);
    expect(number['@statusCallbackEvent']).toBe('initiated ringing answered completed');
    expect(number['@url']).toBeUndefined();
    expect((await callRow(callId)).parent_call_sid).toBe(sid(1));
    // Twilio retrying the same request gets the same dial; another call SID gets none.
    const again = await twilioPost(
      '/telephony/twilio/voice',
      voiceParams(callId, caller, sid(1)),
    ).expect(200);
    expect(again.text).toBe(res.text);
    const other = await twilioPost(
      '/telephony/twilio/voice',
      voiceParams(callId, caller, sid(2)),
    ).expect(200);
    expect(other.text).not.toContain('<Dial');
    expect(other.text).toContain('<Hangup/>');
  });

  it('caps at the extended limit when the campaign allows extensions, and records with a notice when it records', async () => {
    const { callId, caller } = await dialedCall({ extendAllowancePct: 10, recordCalls: true });
    const res = await twilioPost(
      '/telephony/twilio/voice',
      voiceParams(callId, caller, sid(3)),
    ).expect(200);
    const dial = xml.parse(res.text).Response.Dial;
    expect(dial['@timeLimit']).toBe('600');
    expect(dial['@record']).toBe('record-from-answer-dual');
    expect(dial['@recordingStatusCallback']).toBe(
      `${BASE}/telephony/twilio/recording?callId=${callId}`,
    );
    expect(dial.Number['@url']).toBe(`${BASE}/telephony/twilio/notice?callId=${callId}`);
    const notice = await twilioPost(`/telephony/twilio/notice?callId=${callId}`, {
      CallSid: sid(4),
      ParentCallSid: sid(3),
    }).expect(200);
    expect(xml.parse(notice.text).Response.Say).toMatch(/recorded/);
    // The recording callback goes on the call, once.
    const rec = {
      CallSid: sid(3),
      RecordingSid: 'RE' + '5'.repeat(32),
      RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE5',
      RecordingStatus: 'completed',
      RecordingDuration: '37',
    };
    await twilioPost(`/telephony/twilio/recording?callId=${callId}`, rec).expect(204);
    await twilioPost(`/telephony/twilio/recording?callId=${callId}`, {
      ...rec,
      RecordingSid: 'RE' + '6'.repeat(32),
    }).expect(204);
    const [row] = await sql<{ recording_sid: string; recording_seconds: number }>(
      ctx.dbUrl,
      'SELECT recording_sid, recording_seconds FROM calls WHERE id = $1',
      [callId],
    );
    expect(row).toEqual({ recording_sid: rec.RecordingSid, recording_seconds: 37 });
  });

  it('refuses unsigned, wrongly signed, wrong-host and foreign voice requests with 403, changing nothing', async () => {
    const { callId, caller, other } = await dialedCall();
    const params = voiceParams(callId, caller, sid(7));
    const unsigned = await ctx
      .http()
      .post('/telephony/twilio/voice')
      .type('form')
      .send(new URLSearchParams(params).toString())
      .expect(403);
    expect(unsigned.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    // Signed, then a field changed on the way.
    const sig = twilio.getExpectedTwilioSignature(
      CREDS.authToken,
      BASE + '/telephony/twilio/voice',
      params,
    );
    await ctx
      .http()
      .post('/telephony/twilio/voice')
      .type('form')
      .set('X-Twilio-Signature', sig)
      .send(new URLSearchParams({ ...params, To: '+19005550100' }).toString())
      .expect(403);
    // Signed for the Host header the request came with, not the public URL.
    await twilioPost(
      '/telephony/twilio/voice',
      params,
      'http://127.0.0.1/telephony/twilio/voice',
    ).expect(403);
    // Signed with another account's token.
    await ctx
      .http()
      .post('/telephony/twilio/voice')
      .type('form')
      .set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature('other-token', BASE + '/telephony/twilio/voice', params),
      )
      .send(new URLSearchParams(params).toString())
      .expect(403);
    // Correctly signed, but another caller's identity, or a call that does not exist.
    await twilioPost('/telephony/twilio/voice', voiceParams(callId, other, sid(7))).expect(403);
    await twilioPost(
      '/telephony/twilio/voice',
      voiceParams('00000000-0000-4000-8000-000000000000', caller, sid(7)),
    ).expect(403);
    await twilioPost('/telephony/twilio/voice', { ...params, callId: 'not-a-uuid' }).expect(403);
    expect((await callRow(callId)).parent_call_sid).toBeNull();
    // Behind a proxy the Host and X-Forwarded-* headers change nothing: the public URL is what counts.
    await twilioPost('/telephony/twilio/voice', params)
      .set('Host', 'internal:8080')
      .set('X-Forwarded-Host', 'evil.example')
      .expect(200);
    expect((await callRow(callId)).parent_call_sid).toBe(sid(7));
  });

  it('does not dial a call that is no longer dialing (lease lost, released)', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(213) 555-4201,CA\n');
    const next = await post(callers[0], '/calls/next', { campaignId }).expect(200);
    const callId = next.body.callId as string;
    // Claimed but never dialed through /dial: the voice request gets no <Dial>.
    const res = await twilioPost(
      '/telephony/twilio/voice',
      voiceParams(callId, callers[0], sid(8)),
    ).expect(200);
    expect(res.text).not.toContain('<Dial');
    expect((await callRow(callId)).state).toBe('leased');
  });

  it('stores each status event once, in any order, and ends in the right state with the final duration', async () => {
    const { callId, caller } = await dialedCall();
    await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, sid(10))).expect(200);
    const child = sid(11);
    const status = (s: string, n: number, extra: Record<string, string> = {}) =>
      twilioPost(`/telephony/twilio/status?callId=${callId}`, {
        CallSid: child,
        ParentCallSid: sid(10),
        CallStatus: s,
        SequenceNumber: String(n),
        ...extra,
      });
    ctx.clock.advance(60);
    await status('completed', 3, { CallDuration: '42' }).expect(204);
    await status('ringing', 1).expect(204);
    await status('in-progress', 2).expect(204);
    await status('initiated', 0).expect(204);
    await status('completed', 3, { CallDuration: '42' }).expect(204); // Twilio's retry
    await status('completed', 3, { CallDuration: '999' }).expect(204); // a retry never changes it
    const row = await callRow(callId);
    expect(row).toMatchObject({
      state: 'completed',
      provider_call_sid: child,
      talk_seconds: 42,
      hit_cap: false,
    });
    expect(row.ended_at).not.toBeNull();
    const events = await eventsOf(callId);
    expect(events.map((e) => [e.sequence_number, e.status, e.applied])).toEqual([
      [0, 'initiated', false],
      [1, 'ringing', false],
      [2, 'in-progress', false],
      [3, 'completed', true],
    ]);
    // The outcome still works after a Twilio call.
    ctx.clock.advance(10);
    const out = await post(caller, `/calls/${callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(200);
    expect(out.body.dialed).toBe(true);
  });

  it('takes the same events concurrently, shuffled and repeated, and still stores each once', async () => {
    const { callId, caller } = await dialedCall();
    await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, sid(50))).expect(200);
    const events = ['initiated', 'ringing', 'in-progress', 'completed'].map((s, n) => ({
      CallSid: sid(51),
      ParentCallSid: sid(50),
      CallStatus: s,
      SequenceNumber: String(n),
      ...(s === 'completed' ? { CallDuration: '75' } : {}),
    }));
    const burst = [...events, ...events, ...events, ...events].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(
      burst.map((e) => twilioPost(`/telephony/twilio/status?callId=${callId}`, e)),
    );
    expect(answers.map((a) => a.status)).toEqual(burst.map(() => 204));
    expect((await eventsOf(callId)).map((e) => e.sequence_number)).toEqual([0, 1, 2, 3]);
    expect(await callRow(callId)).toMatchObject({ state: 'completed', talk_seconds: 75 });
  });

  it("answers each of many calls' concurrent callbacks on its own, the refused ones among them", async () => {
    // Enough at once for the callbacks to share statements (4 run at a time, the rest queue):
    // every call's events, a retry of each, and in between events for no call or another leg.
    const calls = [];
    for (let i = 0; i < 6; i++) {
      const { callId, caller } = await dialedCall();
      const parent = sid(600 + i);
      await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, parent)).expect(200);
      calls.push({ callId, parent, child: sid(700 + i), talk: 10 + i });
    }
    const sends: { callId: string; params: Record<string, string>; expected: number }[] = [];
    for (const c of calls) {
      ['initiated', 'ringing', 'in-progress', 'completed'].forEach((s, n) => {
        const params = {
          CallSid: c.child,
          ParentCallSid: c.parent,
          CallStatus: s,
          SequenceNumber: String(n),
          ...(s === 'completed' ? { CallDuration: String(c.talk) } : {}),
        };
        sends.push({ callId: c.callId, params, expected: 204 });
        sends.push({ callId: c.callId, params, expected: 204 });
      });
      sends.push({
        callId: c.callId,
        params: {
          CallSid: c.child,
          ParentCallSid: sid(99),
          CallStatus: 'busy',
          SequenceNumber: '9',
        },
        expected: 403,
      });
    }
    sends.push({
      callId: '00000000-0000-4000-8000-000000000000',
      params: { CallSid: sid(98), ParentCallSid: sid(97), CallStatus: 'busy', SequenceNumber: '0' },
      expected: 403,
    });
    const shuffled = [...sends].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(
      shuffled.map((x) => twilioPost(`/telephony/twilio/status?callId=${x.callId}`, x.params)),
    );
    expect(answers.map((a) => a.status)).toEqual(shuffled.map((x) => x.expected));
    for (const c of calls) {
      expect((await eventsOf(c.callId)).map((e) => [e.sequence_number, e.call_sid])).toEqual(
        [0, 1, 2, 3].map((n) => [n, c.child]),
      );
      expect(await callRow(c.callId)).toMatchObject({
        state: 'completed',
        provider_call_sid: c.child,
        talk_seconds: c.talk,
      });
    }
  });

  it('refuses status callbacks for unknown calls, other legs and bad signatures, storing nothing', async () => {
    const { callId, caller } = await dialedCall();
    const params = {
      CallSid: sid(21),
      ParentCallSid: sid(20),
      CallStatus: 'ringing',
      SequenceNumber: '1',
    };
    // Before the voice request there is no call for Twilio to report on.
    await twilioPost(`/telephony/twilio/status?callId=${callId}`, params).expect(403);
    await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, sid(20))).expect(200);
    await twilioPost(
      `/telephony/twilio/status?callId=00000000-0000-4000-8000-000000000000`,
      params,
    ).expect(403);
    await twilioPost(`/telephony/twilio/status?callId=${callId}`, {
      ...params,
      ParentCallSid: sid(99),
    }).expect(403);
    // The call id is in the signed URL: moving a signature to another call fails.
    await twilioPost(
      `/telephony/twilio/status?callId=${callId}`,
      params,
      `${BASE}/telephony/twilio/status?callId=x`,
    ).expect(403);
    await ctx
      .http()
      .post(`/telephony/twilio/status?callId=${callId}`)
      .type('form')
      .send(new URLSearchParams(params).toString())
      .expect(403);
    expect(await eventsOf(callId)).toEqual([]);
    expect((await callRow(callId)).state).toBe('dialing');
    await twilioPost(`/telephony/twilio/status?callId=${callId}`, params).expect(204);
    // A second dialed leg on the same call is not ours.
    await twilioPost(`/telephony/twilio/status?callId=${callId}`, {
      ...params,
      CallSid: sid(22),
      SequenceNumber: '2',
    }).expect(403);
    expect((await callRow(callId)).state).toBe('ringing');
    expect(await eventsOf(callId)).toHaveLength(1);
    // Signed but malformed: a clear 400 naming the field.
    const bad = await twilioPost(`/telephony/twilio/status?callId=${callId}`, {
      ...params,
      SequenceNumber: 'x',
    }).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'SequenceNumber' })]);
    const huge = await twilioPost(`/telephony/twilio/status?callId=${callId}`, {
      ...params,
      SequenceNumber: '99999999999',
    }).expect(400);
    expect(huge.body.details).toEqual([expect.objectContaining({ field: 'SequenceNumber' })]);
    const long = await twilioPost(`/telephony/twilio/status?callId=${callId}`, {
      ...params,
      CallStatus: 'completed',
      SequenceNumber: '3',
      CallDuration: '99999999999',
    }).expect(400);
    expect(long.body.details).toEqual([expect.objectContaining({ field: 'CallDuration' })]);
    expect(await eventsOf(callId)).toHaveLength(1);
  });

  it('ends a call through Twilio when the cap passes, once, and records that it hit the cap', async () => {
    const { callId, caller } = await dialedCall({ talkCapSeconds: 120 });
    await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, sid(30))).expect(200);
    const status = (s: string, n: number, extra: Record<string, string> = {}) =>
      twilioPost(`/telephony/twilio/status?callId=${callId}`, {
        CallSid: sid(31),
        ParentCallSid: sid(30),
        CallStatus: s,
        SequenceNumber: String(n),
        ...extra,
      }).expect(204);
    await status('initiated', 0);
    await status('in-progress', 1);
    const enforcer = ctx.app.get(CapEnforcer);
    rest.requests.length = 0;
    ctx.clock.advance(119);
    expect(await enforcer.sweep()).toBe(0);
    ctx.clock.advance(2);
    expect(await enforcer.sweep()).toBe(1);
    expect(rest.requests).toEqual([
      {
        method: 'post',
        uri: `https://api.twilio.com/2010-04-01/Accounts/${CREDS.accountSid}/Calls/${sid(30)}.json`,
        data: { Status: 'completed' },
      },
    ]);
    // Asked once: the next sweep leaves it alone while Twilio reports back.
    ctx.clock.advance(2);
    expect(await enforcer.sweep()).toBe(0);
    await status('completed', 2, { CallDuration: '122' });
    expect(await callRow(callId)).toMatchObject({
      state: 'completed',
      talk_seconds: 122,
      hit_cap: true,
    });
  });

  it('gives up a dial the phone never connected, so the caller can record what happened', async () => {
    const { callId, caller } = await dialedCall();
    const enforcer = ctx.app.get(CapEnforcer);
    ctx.clock.advance(60);
    await enforcer.sweep();
    expect((await callRow(callId)).state).toBe('dialing');
    await post(caller, `/calls/${callId}/outcome`, { disposition: 'no_answer' }).expect(409);
    ctx.clock.advance(61);
    await enforcer.sweep();
    expect((await callRow(callId)).state).toBe('failed');
    // Twilio asking late for the voice TwiML gets no dial.
    const late = await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, sid(60)));
    expect(late.text).not.toContain('<Dial');
    ctx.clock.advance(5);
    const out = await post(caller, `/calls/${callId}/outcome`, { disposition: 'no_answer' }).expect(
      200,
    );
    expect(out.body.contact.status).toBe('queued');
  });

  it('lets an extended call run past the normal cap', async () => {
    const { callId, caller } = await dialedCall({ talkCapSeconds: 120, extendAllowancePct: 100 });
    await twilioPost('/telephony/twilio/voice', voiceParams(callId, caller, sid(40))).expect(200);
    await twilioPost(`/telephony/twilio/status?callId=${callId}`, {
      CallSid: sid(41),
      ParentCallSid: sid(40),
      CallStatus: 'in-progress',
      SequenceNumber: '1',
    }).expect(204);
    const ext = await post(caller, `/calls/${callId}/extend`).expect(200);
    expect(ext.body).toEqual({ granted: true, capSeconds: 600 });
    ctx.clock.advance(300);
    expect(await ctx.app.get(CapEnforcer).sweep()).toBe(0);
    ctx.clock.advance(301);
    expect(await ctx.app.get(CapEnforcer).sweep()).toBe(1);
  });
});
