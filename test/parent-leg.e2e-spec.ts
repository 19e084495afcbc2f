import { Logger } from '@nestjs/common';
import { XMLParser } from 'fast-xml-parser';
import twilio from 'twilio';
import { CallReconciler } from '../src/calls/telephony/call-reconciler';
import { identityOf } from '../src/calls/telephony/telephony';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';
import { TWILIO_BASE, TWILIO_CREDS } from './twilio-fixtures';

const BASE = TWILIO_BASE;
const CREDS = TWILIO_CREDS;
/** The grace period the tests run with (seconds): short, so each test waits well under 10 s. */
const GRACE = 0.3;
const GIVE_UP = 30;
const sid = (n: number) => 'CA' + n.toString(16).padStart(32, '0');

interface FakeCall {
  sid: string;
  parent: string;
  status: string;
  duration: string | null;
}

/**
 * Twilio's REST API for calls, faked at its HTTP client: `GET Calls.json?ParentCallSid=` answers
 * the children set here; `failing` makes every request answer 500.
 */
class FakeTwilioRest {
  readonly calls: FakeCall[] = [];
  readonly requests: { method: string; uri: string; params: Record<string, string> }[] = [];
  failing = false;

  request(opts: { method: string; uri: string; params?: Record<string, string> }) {
    this.requests.push({ method: opts.method, uri: opts.uri, params: opts.params ?? {} });
    if (this.failing) {
      return answer(500, { code: 20500, message: 'Internal Server Error', status: 500 });
    }
    if (opts.method === 'get' && /\/Calls\.json$/.test(opts.uri)) {
      const parent = opts.params?.ParentCallSid;
      return answer(200, {
        calls: this.calls
          .filter((c) => c.parent === parent)
          .map((c) => ({
            sid: c.sid,
            parent_call_sid: c.parent,
            account_sid: CREDS.accountSid,
            status: c.status,
            duration: c.duration,
          })),
        page: 0,
        page_size: 20,
        next_page_uri: null,
        uri: '/2010-04-01/Accounts/AC/Calls.json',
      });
    }
    return answer(404, { code: 20404, message: 'Not found', status: 404 });
  }

  /** The children lookups made, by browser leg. */
  lookups(): string[] {
    return this.requests.map((r) => `${r.method} ${r.uri.replace(/^.*\/Calls/, 'Calls')}`);
  }
}

const answer = (statusCode: number, body: object) =>
  Promise.resolve({ statusCode, body: JSON.stringify(body), headers: {} });

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CallRow {
  state: string;
  provider_call_sid: string | null;
  dialed_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  talk_seconds: number | null;
  parent_ended_at: Date | null;
}

describe('the browser (parent) leg with Twilio (signed callbacks, REST faked)', () => {
  let ctx: TestContext;
  const rest = new FakeTwilioRest();
  let sids = 0x5000;
  let phones = 0;
  beforeAll(async () => {
    ctx = await TestContext.create(
      {
        twilio: CREDS,
        publicBaseUrl: BASE,
        parentEndGraceSeconds: GRACE,
        parentEndGiveUpSeconds: GIVE_UP,
      },
      { twilioHttpClient: rest },
    );
  });
  afterAll(() => ctx.close());
  beforeEach(() => {
    rest.requests.length = 0;
    rest.failing = false;
  });
  afterEach(() => jest.restoreAllMocks());

  /** A webhook request signed as Twilio signs it (`signUrl`: the URL signed, if not the one posted). */
  const twilioPost = (
    path: string,
    params: Record<string, string>,
    sign: { url?: string; token?: string; params?: Record<string, string> } | null = {},
  ) => {
    const req = ctx.http().post(path).type('form');
    if (sign) {
      req.set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature(
          sign.token ?? CREDS.authToken,
          sign.url ?? BASE + path,
          sign.params ?? params,
        ),
      );
    }
    return req.send(new URLSearchParams(params).toString());
  };

  const post = (u: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(u.token, { type: 'bearer' }).send(body);

  const callRow = async (callId: string) =>
    (
      await sql<CallRow>(
        ctx.dbUrl,
        `SELECT state, provider_call_sid, dialed_at, answered_at, ended_at, talk_seconds, parent_ended_at
           FROM calls WHERE id = $1`,
        [callId],
      )
    )[0];

  const eventsOf = (callId: string) =>
    sql<{
      call_sid: string;
      sequence_number: number;
      status: string;
      applied: boolean;
      source: string;
    }>(
      ctx.dbUrl,
      `SELECT call_sid, sequence_number, status, applied, source FROM call_events WHERE call_id = $1 ORDER BY id`,
      [callId],
    );

  /** Reads until `ok` holds or 10 s pass; answers the last reading. */
  async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const end = Date.now() + 10_000;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > end) return v;
      await sleep(50);
    }
  }

  /**
   * A call Twilio is placing for the console: claimed, dialed, the voice request answered (the
   * browser leg `parent`). The campaign has a second contact for the caller's next claim.
   */
  async function placedCall() {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({
      fields: { talkCapSeconds: 120, extendAllowancePct: 0 },
    });
    const n = 7100 + (phones += 2);
    await ctx.importCsv(campaignId, `phone,state\n(213) 555-${n},CA\n(213) 555-${n + 1},CA\n`);
    const [caller] = callers;
    const next = await post(caller, '/calls/next', { campaignId }).expect(200);
    const callId = next.body.callId as string;
    await post(caller, `/calls/${callId}/dial`).expect(200);
    const parent = sid(++sids);
    const child = sid(++sids);
    const voice = await twilioPost('/telephony/twilio/voice', {
      CallSid: parent,
      AccountSid: CREDS.accountSid,
      From: `client:${identityOf(caller.id)}`,
      Direction: 'inbound',
      callId,
    }).expect(200);
    const status = (s: string, n: number, extra: Record<string, string> = {}) =>
      twilioPost(`/telephony/twilio/status?callId=${callId}`, {
        CallSid: child,
        ParentCallSid: parent,
        CallStatus: s,
        SequenceNumber: String(n),
        ...extra,
      }).expect(204);
    const dialAction = (extra: Record<string, string> = {}) =>
      twilioPost(`/telephony/twilio/dial-action?callId=${callId}`, {
        AccountSid: CREDS.accountSid,
        CallSid: parent,
        CallStatus: 'completed',
        From: `client:${identityOf(caller.id)}`,
        Direction: 'inbound',
        DialCallStatus: 'canceled',
        ...extra,
      });
    const parentStatus = (s: string) =>
      twilioPost('/telephony/twilio/parent-status', {
        AccountSid: CREDS.accountSid,
        ApplicationSid: CREDS.twimlAppSid,
        CallSid: parent,
        CallStatus: s,
        From: `client:${identityOf(caller.id)}`,
        Direction: 'inbound',
      });
    return {
      callId,
      caller,
      campaignId,
      parent,
      child,
      voice: voice.text,
      status,
      dialAction,
      parentStatus,
    };
  }

  /** The full life of a dialed leg that was answered and talked `seconds`. */
  async function talked(call: Awaited<ReturnType<typeof placedCall>>, seconds: number) {
    await call.status('initiated', 0);
    await call.status('ringing', 1);
    await call.status('in-progress', 2);
    await call.status('completed', 3, { CallDuration: String(seconds) });
  }

  it('asks for the Dial action in the voice TwiML, and answers it with a hang-up', async () => {
    const call = await placedCall();
    const dial = xml.parse(call.voice).Response.Dial;
    expect(dial['@action']).toBe(`${BASE}/telephony/twilio/dial-action?callId=${call.callId}`);
    expect(dial['@method']).toBe('POST');
    await talked(call, 12);
    const res = await call
      .dialAction({ DialCallStatus: 'completed', DialCallSid: call.child, DialCallDuration: '12' })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(xml.parse(res.text).Response).toEqual({ Hangup: '' });
    // A call already over: nothing changes but the mark, and nothing is asked of Twilio.
    await sleep(GRACE * 3 * 1000);
    expect(await callRow(call.callId)).toMatchObject({ state: 'completed', talk_seconds: 12 });
    expect(rest.requests).toEqual([]);
  });

  it('frees the caller when the browser leg ends before any dialed leg existed (Dial action)', async () => {
    const call = await placedCall();
    const [{ attempts, contact_id }] = await sql<{ attempts: number; contact_id: string }>(
      ctx.dbUrl,
      'SELECT c.attempts, c.id AS contact_id FROM calls k JOIN contacts c ON c.id = k.contact_id WHERE k.id = $1',
      [call.callId],
    );
    // Before: the caller is held by the call (another dial is refused).
    await call.dialAction().expect(200);
    const marked = await callRow(call.callId);
    expect(marked).toMatchObject({ state: 'dialing', provider_call_sid: null });
    expect(marked.parent_ended_at).toEqual(ctx.clock.now());
    // After the grace period Twilio is asked once, says no dialed leg exists: closed, not dialed.
    const row = await waitFor(
      () => callRow(call.callId),
      (r) => r.state !== 'dialing',
    );
    expect(row).toMatchObject({
      state: 'failed',
      provider_call_sid: null,
      dialed_at: null,
      answered_at: null,
      talk_seconds: null,
    });
    expect(row.ended_at).toEqual(ctx.clock.now());
    expect(rest.requests).toHaveLength(1);
    expect(rest.requests[0]).toMatchObject({
      method: 'get',
      params: { ParentCallSid: call.parent },
    });
    expect(await eventsOf(call.callId)).toEqual([
      {
        call_sid: call.parent,
        sequence_number: -1,
        status: 'failed',
        applied: true,
        source: 'provider',
      },
    ]);
    // The contact lost no attempt.
    const [contact] = await sql<{ attempts: number }>(
      ctx.dbUrl,
      'SELECT attempts FROM contacts WHERE id = $1',
      [contact_id],
    );
    expect(contact.attempts).toBe(attempts);
    // The caller is free: the next contact, dialed at once…
    const next = await post(call.caller, '/calls/next', { campaignId: call.campaignId }).expect(
      200,
    );
    expect(next.body.callId).not.toBe(call.callId);
    await post(call.caller, `/calls/${next.body.callId as string}/dial`).expect(200);
    // …and the outcome of the call that never reached the contact, within the wrap-up window.
    const out = await post(call.caller, `/calls/${call.callId}/outcome`, {
      disposition: 'no_answer',
    }).expect(200);
    expect(out.body.dialed).toBe(false);
    // Twilio retrying the Dial action changes nothing.
    await call.dialAction().expect(200);
    expect(await callRow(call.callId)).toEqual(row);
  });

  it('frees the caller from the TwiML App status callback too, and only on a final status', async () => {
    const call = await placedCall();
    // Not final, or a browser leg of no live call: nothing changes.
    await call.parentStatus('ringing').expect(204);
    await twilioPost('/telephony/twilio/parent-status', {
      CallSid: sid(0xdead),
      CallStatus: 'completed',
    }).expect(204);
    expect((await callRow(call.callId)).parent_ended_at).toBeNull();
    await call.parentStatus('completed').expect(204);
    const row = await waitFor(
      () => callRow(call.callId),
      (r) => r.state !== 'dialing',
    );
    expect(row).toMatchObject({ state: 'failed', dialed_at: null });
    expect(rest.requests).toHaveLength(1);
    // The Dial action arriving as well changes nothing more.
    await call.dialAction().expect(200);
    expect(await callRow(call.callId)).toEqual(row);
  });

  it('ends a call connected, with its talk time, when the browser leg’s end comes before the dialed leg’s events', async () => {
    // The dialed leg's callbacks arrive within the grace period.
    const early = await placedCall();
    await early.parentStatus('completed').expect(204);
    await talked(early, 42);
    await sleep(GRACE * 3 * 1000);
    const row = await callRow(early.callId);
    expect(row).toMatchObject({
      state: 'completed',
      provider_call_sid: early.child,
      talk_seconds: 42,
    });
    expect(row.answered_at).not.toBeNull();
    expect(row.dialed_at).not.toBeNull();
    expect(rest.requests).toEqual([]);

    // They arrive after it: Twilio names the dialed leg (still on), which is adopted, and its
    // callbacks then end the call as usual.
    const late = await placedCall();
    rest.calls.push({
      sid: late.child,
      parent: late.parent,
      status: 'in-progress',
      duration: null,
    });
    await late.dialAction().expect(200);
    const adopted = await waitFor(
      () => callRow(late.callId),
      (r) => r.provider_call_sid !== null,
    );
    expect(adopted).toMatchObject({ state: 'dialing', provider_call_sid: late.child });
    await talked(late, 37);
    expect(await callRow(late.callId)).toMatchObject({ state: 'completed', talk_seconds: 37 });

    // They never arrive: Twilio's final status of the dialed leg closes it, talk time included,
    // and a late callback changes nothing.
    const lost = await placedCall();
    rest.calls.push({ sid: lost.child, parent: lost.parent, status: 'completed', duration: '55' });
    await lost.dialAction().expect(200);
    const closed = await waitFor(
      () => callRow(lost.callId),
      (r) => r.state !== 'dialing',
    );
    expect(closed).toMatchObject({
      state: 'completed',
      provider_call_sid: lost.child,
      talk_seconds: 55,
    });
    expect(closed.dialed_at).not.toBeNull();
    await lost.status('completed', 3, { CallDuration: '55' });
    expect(await callRow(lost.callId)).toEqual(closed);
    expect(
      (await eventsOf(lost.callId)).map((e) => [e.call_sid, e.status, e.applied, e.source]),
    ).toEqual([
      [lost.child, 'completed', true, 'provider'],
      [lost.child, 'completed', false, 'callback'],
    ]);
  });

  it('takes no unsigned or wrongly signed Dial action (403) and changes nothing', async () => {
    const call = await placedCall();
    const before = await callRow(call.callId);
    const path = `/telephony/twilio/dial-action?callId=${call.callId}`;
    const params = { CallSid: call.parent, CallStatus: 'completed', DialCallStatus: 'canceled' };
    const other = await placedCall();
    const refused = [
      // No signature.
      twilioPost(path, params, null),
      // Signed with another auth token.
      twilioPost(path, params, { token: 'another-auth-token-0123456789abcdef' }),
      // Signed for another call's URL.
      twilioPost(path, params, {
        url: `${BASE}/telephony/twilio/dial-action?callId=${other.callId}`,
      }),
      // Signed for another host.
      twilioPost(path, params, { url: `https://evil.example.com${path}` }),
      // A field changed after signing.
      twilioPost(path, { ...params, DialCallSid: call.child }, { params }),
      // Signed, but about a browser leg that is not this call's.
      twilioPost(path, { ...params, CallSid: other.parent }),
      // Signed, but no call id.
      twilioPost('/telephony/twilio/dial-action', params),
      // The TwiML App's status callback, unsigned.
      twilioPost('/telephony/twilio/parent-status', params, null),
    ];
    for (const res of await Promise.all(refused)) expect(res.status).toBe(403);
    await sleep(GRACE * 3 * 1000);
    expect(await callRow(call.callId)).toEqual(before);
    expect(await callRow(other.callId)).toMatchObject({ state: 'dialing', parent_ended_at: null });
    expect(await eventsOf(call.callId)).toEqual([]);
    expect(rest.requests).toEqual([]);
  });

  it('asks again while Twilio’s REST API fails, and closes the call at the give-up age without it', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    const reconcile = () => ctx.app.get(CallReconciler).reconcile();
    rest.failing = true;
    const call = await placedCall();
    await call.dialAction().expect(200);
    // The grace period's attempt fails: the call is left as it was.
    await waitFor(
      async () => rest.requests.length,
      (n) => n >= 1,
    );
    await sleep(100);
    expect(await callRow(call.callId)).toMatchObject({ state: 'dialing' });
    // The sweep asks again (once per grace period, at least a second apart)…
    expect(await reconcile()).toBe(0);
    expect(rest.requests).toHaveLength(1);
    ctx.clock.advance(1);
    expect(await reconcile()).toBe(0);
    expect(rest.requests).toHaveLength(2);
    expect(await callRow(call.callId)).toMatchObject({ state: 'dialing' });
    expect(errors).not.toHaveBeenCalled();
    // …and past the give-up age closes it anyway: failed, with its dial kept (unknown to us).
    ctx.clock.advance(GIVE_UP);
    expect(await reconcile()).toBe(1);
    const row = await callRow(call.callId);
    expect(row).toMatchObject({ state: 'failed', provider_call_sid: null });
    expect(row.dialed_at).not.toBeNull();
    expect(await eventsOf(call.callId)).toEqual([
      expect.objectContaining({ call_sid: call.parent, status: 'failed', source: 'synthetic' }),
    ]);
    expect(errors).toHaveBeenCalledWith(
      expect.stringMatching(new RegExp(`call ${call.callId} closed without Twilio's answer`)),
    );
    // The caller can record the outcome.
    await post(call.caller, `/calls/${call.callId}/outcome`, { disposition: 'no_answer' }).expect(
      200,
    );
  });
});
