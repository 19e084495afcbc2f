import { Logger } from '@nestjs/common';
import twilio from 'twilio';
import { DataSource } from 'typeorm';
import { CallReconciler } from '../src/calls/telephony/call-reconciler';
import { identityOf } from '../src/calls/telephony/telephony';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';
import { TWILIO_BASE, TWILIO_CREDS } from './twilio-fixtures';

const BASE = TWILIO_BASE;
const CREDS = TWILIO_CREDS;
const sid = (n: number) => 'CA' + n.toString(16).padStart(32, '0');

interface FakeCall {
  sid: string;
  parent: string | null;
  status: string;
  duration: string | null;
}

/**
 * Twilio's REST API for calls, faked at its HTTP client: `GET Calls/{sid}.json` answers the call
 * set here (404 when unknown), `GET Calls.json?ParentCallSid=` its children, `failures` makes
 * the next requests answer 500, and `failing` every request while it is set.
 */
class FakeTwilioRest {
  readonly calls = new Map<string, FakeCall>();
  readonly requests: { method: string; uri: string; params: Record<string, string> }[] = [];
  failures = 0;
  failing = false;
  delayMs = 0;

  set(call: FakeCall): void {
    this.calls.set(call.sid, call);
  }

  async request(opts: { method: string; uri: string; params?: Record<string, string> }) {
    this.requests.push({ method: opts.method, uri: opts.uri, params: opts.params ?? {} });
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failing || this.failures > 0) {
      if (!this.failing) this.failures--;
      return answer(500, { code: 20500, message: 'Internal Server Error', status: 500 });
    }
    const one = /\/Calls\/(CA\w+)\.json$/.exec(opts.uri);
    if (one) {
      const call = this.calls.get(one[1]);
      if (opts.method === 'post') return answer(200, resource(call ?? fakeEnded(one[1])));
      return call
        ? answer(200, resource(call))
        : answer(404, { code: 20404, message: 'Not found', status: 404 });
    }
    if (/\/Calls\.json$/.test(opts.uri)) {
      const parent = opts.params?.ParentCallSid;
      const children = [...this.calls.values()].filter((c) => c.parent === parent);
      return answer(200, {
        calls: children.map(resource),
        page: 0,
        page_size: 20,
        next_page_uri: null,
        uri: '/2010-04-01/Accounts/AC/Calls.json',
      });
    }
    return answer(404, { code: 20404, message: 'Not found', status: 404 });
  }

  /** The GET requests made for calls (lookups, not cuts). */
  lookups(): string[] {
    return this.requests
      .filter((r) => r.method === 'get')
      .map((r) => r.uri.replace(/^.*\/Calls/, 'Calls') + (r.params.ParentCallSid ? '?parent' : ''));
  }
}

const answer = (statusCode: number, body: object) => ({
  statusCode,
  body: JSON.stringify(body),
  headers: {},
});
const resource = (c: FakeCall) => ({
  sid: c.sid,
  parent_call_sid: c.parent,
  account_sid: CREDS.accountSid,
  status: c.status,
  duration: c.duration,
});
const fakeEnded = (s: string): FakeCall => ({
  sid: s,
  parent: null,
  status: 'completed',
  duration: null,
});

interface CallRow {
  state: string;
  provider_call_sid: string | null;
  talk_seconds: number | null;
  hit_cap: boolean;
  ended_at: Date | null;
  reconcile_attempted_at: Date | null;
}

const callRow = async (ctx: TestContext, callId: string) =>
  (
    await sql<CallRow>(
      ctx.dbUrl,
      `SELECT state, provider_call_sid, talk_seconds, hit_cap, ended_at, reconcile_attempted_at
         FROM calls WHERE id = $1`,
      [callId],
    )
  )[0];

const eventsOf = (ctx: TestContext, callId: string) =>
  sql<{
    call_sid: string;
    sequence_number: number;
    status: string;
    duration_seconds: number | null;
    applied: boolean;
    source: string;
  }>(
    ctx.dbUrl,
    `SELECT call_sid, sequence_number, status, duration_seconds, applied, source
       FROM call_events WHERE call_id = $1 ORDER BY id`,
    [callId],
  );

const post = (ctx: TestContext, u: TestUser, path: string, body: object = {}) =>
  ctx.http().post(path).auth(u.token, { type: 'bearer' }).send(body);

describe(`${CallReconciler.name} with Twilio (REST faked)`, () => {
  let ctx: TestContext;
  const rest = new FakeTwilioRest();
  let seq = 0;
  let sids = 1000;
  beforeAll(async () => {
    ctx = await TestContext.create(
      {
        twilio: CREDS,
        publicBaseUrl: BASE,
        reconcileMarginSeconds: 60,
        reconcileGiveUpSeconds: 3600,
      },
      { twilioHttpClient: rest },
    );
  });
  afterAll(() => ctx.close());
  beforeEach(() => {
    rest.requests.length = 0;
    rest.failures = 0;
    rest.failing = false;
    rest.delayMs = 0;
  });
  afterEach(() => jest.restoreAllMocks());

  const reconcile = () => ctx.app.get(CallReconciler).reconcile();

  const twilioPost = (path: string, params: Record<string, string>) =>
    ctx
      .http()
      .post(path)
      .type('form')
      .set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature(CREDS.authToken, BASE + path, params),
      )
      .send(new URLSearchParams(params).toString());

  /**
   * A call Twilio is dialing for the console (voice request done), with the given status
   * callbacks of its dialed leg delivered; its final callback is what goes missing.
   */
  async function liveCall(statuses: string[], fields: Record<string, unknown> = {}) {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({
      fields: { talkCapSeconds: 120, extendAllowancePct: 0, ...fields },
    });
    await ctx.importCsv(campaignId, `phone,state\n(213) 555-${5100 + ++seq},CA\n`);
    const [caller] = callers;
    const next = await post(ctx, caller, '/calls/next', { campaignId }).expect(200);
    const callId = next.body.callId as string;
    await post(ctx, caller, `/calls/${callId}/dial`).expect(200);
    const parent = sid(++sids);
    const child = sid(++sids);
    await twilioPost('/telephony/twilio/voice', {
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
    for (const [n, s] of statuses.entries()) await status(s, n);
    return { callId, caller, parent, child, status };
  }

  it('closes a call whose final callback never came from Twilio’s answer, as the callback would have', async () => {
    const { callId, caller, child, status } = await liveCall([
      'initiated',
      'ringing',
      'in-progress',
    ]);
    rest.set({ sid: child, parent: null, status: 'completed', duration: '118' });
    // Answered at 18:00:00, cap 120 s: due at 18:03:00 (cap + 60 s margin).
    ctx.clock.advance(179);
    expect(await reconcile()).toBe(0);
    expect(rest.requests).toEqual([]);
    ctx.clock.advance(1);
    expect(await reconcile()).toBe(1);
    expect(rest.lookups()).toEqual([`Calls/${child}.json`]);
    const row = await callRow(ctx, callId);
    expect(row).toMatchObject({
      state: 'completed',
      provider_call_sid: child,
      talk_seconds: 118,
      hit_cap: false,
    });
    expect(row.ended_at).toEqual(ctx.clock.now());
    expect((await eventsOf(ctx, callId)).at(-1)).toEqual({
      call_sid: child,
      sequence_number: -1,
      status: 'completed',
      duration_seconds: 118,
      applied: true,
      source: 'provider',
    });
    // The real callback arriving after all: stored, changes nothing, counted nowhere.
    ctx.clock.advance(5);
    await status('completed', 3, { CallDuration: '118' });
    await status('completed', 3, { CallDuration: '118' });
    expect(await callRow(ctx, callId)).toEqual(row);
    const events = await eventsOf(ctx, callId);
    expect(events.map((e) => [e.sequence_number, e.status, e.applied, e.source])).toEqual([
      [0, 'initiated', false, 'callback'],
      [1, 'ringing', true, 'callback'],
      [2, 'in-progress', true, 'callback'],
      [-1, 'completed', true, 'provider'],
      [3, 'completed', false, 'callback'],
    ]);
    expect(events.filter((e) => e.applied && e.status === 'completed')).toHaveLength(1);
    // Nothing more to ask about; the caller's wrap-up window runs from the reconciliation.
    ctx.clock.advance(60);
    expect(await reconcile()).toBe(0);
    expect(rest.lookups()).toHaveLength(1);
    const out = await post(ctx, caller, `/calls/${callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(200);
    expect(out.body.dialed).toBe(true);
  });

  it('applies any final status Twilio reports, and the cap it hit', async () => {
    const busy = await liveCall(['initiated', 'ringing']);
    const capped = await liveCall(['initiated', 'in-progress']);
    const noDuration = await liveCall(['initiated', 'in-progress']);
    rest.set({ sid: busy.child, parent: busy.parent, status: 'busy', duration: '0' });
    rest.set({ sid: capped.child, parent: capped.parent, status: 'completed', duration: '120' });
    rest.set({ sid: noDuration.child, parent: null, status: 'completed', duration: null });
    ctx.clock.advance(180);
    expect(await reconcile()).toBe(3);
    expect(await callRow(ctx, busy.callId)).toMatchObject({ state: 'busy', talk_seconds: null });
    expect(await callRow(ctx, capped.callId)).toMatchObject({
      state: 'completed',
      talk_seconds: 120,
      hit_cap: true,
    });
    // No duration from Twilio: answer to now, at most the cap (never the time it sat unreconciled).
    expect(await callRow(ctx, noDuration.callId)).toMatchObject({
      state: 'completed',
      talk_seconds: 120,
      hit_cap: true,
    });
  });

  it('leaves alone a call still within its cap and margin, and one Twilio says is still on', async () => {
    const extended = await liveCall(['initiated', 'in-progress'], { extendAllowancePct: 50 });
    const on = await liveCall(['initiated', 'in-progress']);
    rest.set({ sid: on.child, parent: on.parent, status: 'in-progress', duration: null });
    // The extended call may run 600 s (its `timeLimit`), so it is not due before 660 s.
    ctx.clock.advance(659);
    expect(await reconcile()).toBe(0);
    expect(rest.lookups()).toEqual([`Calls/${on.child}.json`]);
    expect(await callRow(ctx, extended.callId)).toMatchObject({
      state: 'in_progress',
      reconcile_attempted_at: null,
    });
    expect(await callRow(ctx, on.callId)).toMatchObject({ state: 'in_progress' });
    expect(await eventsOf(ctx, on.callId)).toHaveLength(2);
    // Their callbacks come after all (so the next tests start with no live call).
    await on.status('completed', 2, { CallDuration: '700' });
    await extended.status('completed', 2, { CallDuration: '650' });
  });

  it('leaves the call as it was when Twilio fails, and asks again a minute later', async () => {
    const { callId, child, parent } = await liveCall(['initiated', 'ringing', 'in-progress']);
    const before = await callRow(ctx, callId);
    rest.set({ sid: child, parent, status: 'completed', duration: '90' });
    rest.failures = 1;
    ctx.clock.advance(180);
    expect(await reconcile()).toBe(0);
    expect(await callRow(ctx, callId)).toEqual({
      ...before,
      reconcile_attempted_at: ctx.clock.now(),
    });
    expect(await eventsOf(ctx, callId)).toHaveLength(3);
    // Not asked again within the minute…
    ctx.clock.advance(59);
    expect(await reconcile()).toBe(0);
    expect(rest.lookups()).toHaveLength(1);
    // …then asked, and closed.
    ctx.clock.advance(1);
    expect(await reconcile()).toBe(1);
    expect(rest.lookups()).toHaveLength(2);
    expect(await callRow(ctx, callId)).toMatchObject({ state: 'completed', talk_seconds: 90 });
  });

  it('finds the dialed leg from the browser leg when no callback named it', async () => {
    const found = await liveCall([]);
    const neverDialed = await liveCall([]);
    const unknown = await liveCall([]);
    rest.set({ sid: found.child, parent: found.parent, status: 'completed', duration: '40' });
    rest.set({ sid: neverDialed.parent, parent: null, status: 'completed', duration: '3' });
    ctx.clock.advance(180);
    expect(await reconcile()).toBe(3);
    expect(await callRow(ctx, found.callId)).toMatchObject({
      state: 'completed',
      provider_call_sid: found.child,
      talk_seconds: 40,
    });
    // The browser leg ended and no dialed leg exists: nothing was dialed.
    expect(await callRow(ctx, neverDialed.callId)).toMatchObject({
      state: 'failed',
      provider_call_sid: null,
    });
    expect(await eventsOf(ctx, neverDialed.callId)).toEqual([
      expect.objectContaining({
        call_sid: neverDialed.parent,
        status: 'failed',
        source: 'provider',
      }),
    ]);
    // Twilio has never heard of it (404): closed, marked as not Twilio's word.
    expect(await callRow(ctx, unknown.callId)).toMatchObject({ state: 'failed' });
    expect(await eventsOf(ctx, unknown.callId)).toEqual([
      expect.objectContaining({ status: 'failed', source: 'synthetic', applied: true }),
    ]);
  });

  it('reconciles a call once when two sweeps run at once', async () => {
    const a = await liveCall(['initiated', 'in-progress']);
    const b = await liveCall(['initiated', 'ringing']);
    rest.set({ sid: a.child, parent: a.parent, status: 'completed', duration: '61' });
    rest.set({ sid: b.child, parent: b.parent, status: 'no-answer', duration: null });
    rest.delayMs = 50;
    ctx.clock.advance(180);
    const closed = await Promise.all([reconcile(), reconcile(), reconcile()]);
    expect(closed.reduce((s, n) => s + n, 0)).toBe(2);
    expect(rest.lookups().sort()).toEqual(
      [`Calls/${a.child}.json`, `Calls/${b.child}.json`].sort(),
    );
    for (const call of [a, b]) {
      const reconciled = (await eventsOf(ctx, call.callId)).filter((e) => e.source !== 'callback');
      expect(reconciled).toHaveLength(1);
    }
    expect(await callRow(ctx, b.callId)).toMatchObject({ state: 'no-answer' });
  });

  it('gives up on Twilio when every request fails: closes the call itself at the give-up age', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    const talked = await liveCall(['initiated', 'ringing', 'in-progress']);
    const rang = await liveCall(['initiated', 'ringing']);
    rest.set({ sid: talked.child, parent: talked.parent, status: 'completed', duration: '60' });
    rest.failing = true;
    // Due at 180 s; asked every minute, and left live, until the give-up age (3600 s).
    ctx.clock.advance(180);
    expect(await reconcile()).toBe(0);
    ctx.clock.advance(3600 - 180 - 1);
    expect(await reconcile()).toBe(0);
    expect(rest.lookups()).toHaveLength(4);
    expect(await callRow(ctx, talked.callId)).toMatchObject({
      state: 'in_progress',
      reconcile_attempted_at: ctx.clock.now(),
    });
    expect(await callRow(ctx, rang.callId)).toMatchObject({ state: 'ringing' });
    expect(errors).not.toHaveBeenCalled();
    // The next attempt, past the give-up age, still asks; failing again, the call is closed anyway.
    ctx.clock.advance(60);
    expect(await reconcile()).toBe(2);
    expect(rest.lookups()).toHaveLength(6);
    expect(await callRow(ctx, talked.callId)).toMatchObject({
      state: 'completed',
      talk_seconds: 120,
      hit_cap: true,
    });
    expect(await callRow(ctx, rang.callId)).toMatchObject({ state: 'failed', talk_seconds: null });
    for (const call of [talked, rang]) {
      expect((await eventsOf(ctx, call.callId)).filter((e) => e.source !== 'callback')).toEqual([
        expect.objectContaining({
          call_sid: call.child,
          sequence_number: -1,
          applied: true,
          source: 'synthetic',
        }),
      ]);
      expect(errors).toHaveBeenCalledWith(
        expect.stringMatching(new RegExp(`call ${call.callId} .*Internal Server Error`)),
      );
    }
    expect(errors).toHaveBeenCalledTimes(2);
    // Nothing more to ask about.
    ctx.clock.advance(60);
    expect(await reconcile()).toBe(0);
    expect(rest.lookups()).toHaveLength(6);
  });

  it('gives up on a call Twilio keeps reporting not over', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    const on = await liveCall(['initiated', 'in-progress']);
    const browserOnly = await liveCall([]);
    rest.set({ sid: on.child, parent: on.parent, status: 'in-progress', duration: null });
    rest.set({ sid: browserOnly.parent, parent: null, status: 'in-progress', duration: null });
    ctx.clock.advance(3599);
    expect(await reconcile()).toBe(0);
    expect(await callRow(ctx, on.callId)).toMatchObject({ state: 'in_progress' });
    expect(await callRow(ctx, browserOnly.callId)).toMatchObject({ state: 'dialing' });
    ctx.clock.advance(60);
    expect(await reconcile()).toBe(2);
    expect(await callRow(ctx, on.callId)).toMatchObject({
      state: 'completed',
      talk_seconds: 120,
      hit_cap: true,
    });
    expect(await callRow(ctx, browserOnly.callId)).toMatchObject({
      state: 'failed',
      provider_call_sid: null,
    });
    for (const call of [on, browserOnly]) {
      expect((await eventsOf(ctx, call.callId)).filter((e) => e.source !== 'callback')).toEqual([
        expect.objectContaining({ sequence_number: -1, applied: true, source: 'synthetic' }),
      ]);
    }
    expect(errors).toHaveBeenCalledWith(
      expect.stringMatching(new RegExp(`call ${on.callId} .*${on.child} in-progress`)),
    );
    expect(errors).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(`call ${browserOnly.callId} .*${browserOnly.parent} in-progress`),
      ),
    );
  });

  it('closes a call past the give-up age from Twilio’s answer when it gives one', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    const { callId, child, parent } = await liveCall(['initiated', 'ringing']);
    rest.failing = true;
    ctx.clock.advance(180);
    expect(await reconcile()).toBe(0);
    // Twilio answers again, long after the give-up age.
    rest.failing = false;
    rest.set({ sid: child, parent, status: 'busy', duration: '0' });
    ctx.clock.advance(7200);
    expect(await reconcile()).toBe(1);
    expect(await callRow(ctx, callId)).toMatchObject({ state: 'busy', talk_seconds: null });
    expect((await eventsOf(ctx, callId)).filter((e) => e.source !== 'callback')).toEqual([
      expect.objectContaining({
        call_sid: child,
        sequence_number: -1,
        status: 'busy',
        source: 'provider',
      }),
    ]);
    expect(errors).not.toHaveBeenCalled();
  });

  it('commits status callbacks with synchronous_commit off, in their own transaction only', async () => {
    // A probe: what the setting is inside the statements that write events and calls.
    await sql(
      ctx.dbUrl,
      `CREATE TABLE commit_probe (tbl text, mode text);
       CREATE FUNCTION commit_probe() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN INSERT INTO commit_probe VALUES (TG_TABLE_NAME, current_setting('synchronous_commit')); RETURN NULL; END $$;
       CREATE TRIGGER commit_probe AFTER INSERT ON call_events FOR EACH ROW EXECUTE FUNCTION commit_probe();
       CREATE TRIGGER commit_probe AFTER UPDATE ON calls FOR EACH ROW EXECUTE FUNCTION commit_probe();`,
    );
    try {
      const { callId, child, parent, caller, status } = await liveCall(['initiated']);
      const probe = () =>
        sql<{ tbl: string; mode: string }>(ctx.dbUrl, 'DELETE FROM commit_probe RETURNING *');
      await probe();
      await status('ringing', 1);
      expect(await probe()).toEqual([
        { tbl: 'call_events', mode: 'off' },
        { tbl: 'calls', mode: 'off' },
      ]);
      // Nothing else on those connections is affected…
      const db = ctx.app.get(DataSource);
      const modes = await Promise.all(
        Array.from({ length: 8 }, () =>
          db.query<{ synchronous_commit: string }[]>('SHOW synchronous_commit'),
        ),
      );
      expect(new Set(modes.map(([m]) => m.synchronous_commit))).toEqual(new Set(['on']));
      // …nor the reconciliation, nor the outcome.
      rest.set({ sid: child, parent, status: 'busy', duration: null });
      ctx.clock.advance(180);
      expect(await reconcile()).toBe(1);
      await post(ctx, caller, `/calls/${callId}/outcome`, { disposition: 'busy' }).expect(200);
      const after = await probe();
      expect(after.length).toBeGreaterThan(2);
      expect(new Set(after.map((p) => p.mode))).toEqual(new Set(['on']));
    } finally {
      await sql(
        ctx.dbUrl,
        `DROP TRIGGER commit_probe ON call_events; DROP TRIGGER commit_probe ON calls;
         DROP FUNCTION commit_probe(); DROP TABLE commit_probe;`,
      );
    }
  });
});

describe(`${CallReconciler.name} with the simulated phone`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const reconcile = () => ctx.app.get(CallReconciler).reconcile();
  let seq = 0;

  /** A simulated call the console left after the given events (its tab closed, say). */
  async function leftCall(events: string[]) {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({
      fields: { talkCapSeconds: 120, extendAllowancePct: 0 },
    });
    await ctx.importCsv(campaignId, `phone,state\n(213) 555-${6100 + ++seq},CA\n`);
    const [caller] = callers;
    const next = await post(ctx, caller, '/calls/next', { campaignId }).expect(200);
    const callId = next.body.callId as string;
    await post(ctx, caller, `/calls/${callId}/dial`).expect(200);
    for (const event of events) {
      await post(ctx, caller, `/telephony/simulated/calls/${callId}/events`, { event }).expect(200);
    }
    return { callId, caller };
  }

  it('closes an answered call left open as completed at its cap, an unanswered one as failed', async () => {
    const talked = await leftCall(['ringing', 'answered']);
    const rang = await leftCall(['ringing']);
    ctx.clock.advance(179);
    expect(await reconcile()).toBe(0);
    expect((await callRow(ctx, talked.callId)).state).toBe('in_progress');
    ctx.clock.advance(1);
    expect(await reconcile()).toBe(2);
    expect(await callRow(ctx, talked.callId)).toMatchObject({
      state: 'completed',
      talk_seconds: 120,
      hit_cap: true,
    });
    expect(await callRow(ctx, rang.callId)).toMatchObject({ state: 'failed', talk_seconds: null });
    for (const { callId } of [talked, rang]) {
      expect((await eventsOf(ctx, callId)).filter((e) => e.source === 'synthetic')).toEqual([
        expect.objectContaining({ sequence_number: -1, applied: true }),
      ]);
    }
    // The caller can record what happened and go on.
    await post(ctx, talked.caller, `/calls/${talked.callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(200);
  });

  it('runs in the cap sweep’s tick', async () => {
    const { callId } = await leftCall(['ringing']);
    ctx.clock.advance(3600);
    await ctx.restart({ capSweepSeconds: 1 });
    for (let i = 0; i < 50 && (await callRow(ctx, callId)).state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await callRow(ctx, callId)).toMatchObject({ state: 'failed' });
    expect((await eventsOf(ctx, callId)).at(-1)).toMatchObject({ source: 'synthetic' });
  });
});
