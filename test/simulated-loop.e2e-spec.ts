import twilio from 'twilio';
import { CapEnforcer } from '../src/calls/telephony/cap-enforcer';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/** The caller's whole loop on the simulated phone, through HTTP only. */
describe('the caller loop on the simulated phone', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const post = (caller: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(caller.token, { type: 'bearer' }).send(body);

  it('claims, dials, rings, answers, hangs up, records the outcome and takes the next contact', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0001,CA\n(213) 400-0002,CA\n');
    const [me] = callers;
    const first = await post(me, '/calls/next', { campaignId }).expect(200);
    const callId = first.body.callId as string;
    const dialed = await post(me, `/calls/${callId}/dial`).expect(200);
    expect(dialed.body).toEqual({ mode: 'simulated', params: { callId }, capSeconds: 300 });
    await post(me, `/telephony/simulated/calls/${callId}/events`, { event: 'ringing' }).expect(200);
    ctx.clock.advance(5);
    const answered = await post(me, `/telephony/simulated/calls/${callId}/events`, {
      event: 'answered',
    }).expect(200);
    expect(answered.body.state).toBe('in_progress');
    // No outcome while on the line.
    await post(me, `/calls/${callId}/outcome`, { disposition: 'not_interested' }).expect(409);
    ctx.clock.advance(200);
    const ended = await post(me, `/telephony/simulated/calls/${callId}/events`, {
      event: 'completed',
    }).expect(200);
    expect(ended.body).toMatchObject({ state: 'completed', talkSeconds: 200, hitCap: false });
    // A late or repeated event changes nothing.
    const late = await post(me, `/telephony/simulated/calls/${callId}/events`, {
      event: 'ringing',
    }).expect(200);
    expect(late.body).toEqual(ended.body);
    ctx.clock.advance(30);
    const done = await post(me, `/calls/${callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(200);
    expect(done.body).toMatchObject({ dialed: true, contact: { status: 'closed' } });
    const second = await post(me, '/calls/next', { campaignId }).expect(200);
    expect(second.body.contact.id).not.toBe(first.body.contact.id);
  });

  it('records a talk that reached the cap', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ fields: { talkCapSeconds: 120 } });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0003,CA\n');
    const { body } = await post(callers[0], '/calls/next', { campaignId }).expect(200);
    await post(callers[0], `/calls/${body.callId}/dial`).expect(200);
    await post(callers[0], `/telephony/simulated/calls/${body.callId}/events`, {
      event: 'answered',
    }).expect(200);
    ctx.clock.advance(130);
    const ended = await post(callers[0], `/telephony/simulated/calls/${body.callId}/events`, {
      event: 'completed',
    }).expect(200);
    expect(ended.body).toMatchObject({ talkSeconds: 120, hitCap: true, capSeconds: 120 });
  });

  it('does not dial a number put on do-not-call after the claim, nor outside calling hours', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers, clientId } = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0004,CA\n(213) 400-0005,CA\n');
    const a = await post(callers[0], '/calls/next', { campaignId }).expect(200);
    // Listed between claim and dial without the lease being dropped (a race): the dial checks again.
    await sql(
      ctx.dbUrl,
      `INSERT INTO dnc_numbers (phone, client_id, source) VALUES ($1, $2, 'manual')`,
      [a.body.contact.phone, clientId],
    );
    const refused = await post(callers[0], `/calls/${a.body.callId}/dial`).expect(409);
    expect(refused.body.message).toMatch(/do-not-call/);
    const [dropped] = await sql<{ state: string }>(
      ctx.dbUrl,
      'SELECT state FROM calls WHERE id = $1',
      [a.body.callId],
    );
    expect(dropped.state).toBe('dropped');

    const b = await post(callers[1], '/calls/next', { campaignId }).expect(200);
    ctx.clock.set('2026-03-03T05:00:00Z'); // 21:00 in Los Angeles; the lease still holds
    await sql(ctx.dbUrl, 'UPDATE calls SET lease_expires_at = $2 WHERE id = $1', [
      b.body.callId,
      new Date('2026-03-03T06:00:00Z'),
    ]);
    await sql(ctx.dbUrl, 'UPDATE contacts SET lease_expires_at = $2 WHERE id = $1', [
      b.body.contact.id,
      new Date('2026-03-03T06:00:00Z'),
    ]);
    const late = await post(callers[1], `/calls/${b.body.callId}/dial`).expect(409);
    expect(late.body.message).toMatch(/outside calling hours/);
  });

  it("grants the extended cap within the campaign's allowance, counted over at least 10 dialed calls", async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    // A fresh campaign: 10% of max(dialed, 10) lets one of its first ten calls be extended.
    const { campaignId, clientId, callers } = await ctx.activeCampaign({
      callerCount: 3,
      fields: { extendAllowancePct: 10 },
    });
    await ctx.importCsv(
      campaignId,
      'phone,state\n(213) 400-0006,CA\n(213) 400-0007,CA\n(213) 400-0009,CA\n(213) 400-0010,CA\n',
    );
    const calls: string[] = [];
    for (const c of callers) {
      const { body } = await post(c, '/calls/next', { campaignId }).expect(200);
      if (!calls.length) {
        const leased = await post(c, `/calls/${body.callId}/extend`).expect(200);
        expect(leased.body).toEqual({
          granted: false,
          capSeconds: 300,
          reason: 'the call is not on the line',
          code: 'not_live',
        });
      }
      await post(c, `/calls/${body.callId}/dial`).expect(200);
      await post(c, `/telephony/simulated/calls/${body.callId}/events`, {
        event: 'answered',
      }).expect(200);
      calls.push(body.callId as string);
    }
    const extend = (i: number) => post(callers[i], `/calls/${calls[i]}/extend`).expect(200);
    // The campaign's very first extension (3 calls dialed): granted; asking again answers the same.
    const first = await extend(0);
    expect(first.body).toEqual({ granted: true, capSeconds: 600 });
    expect((await extend(0)).body).toEqual(first.body);
    // A second one among the first ten calls: refused, saying why.
    const refused = { granted: false, capSeconds: 300, reason: expect.stringMatching(/10%/) };
    expect((await extend(1)).body).toEqual({ ...refused, code: 'allowance_used' });
    await post(callers[1], `/calls/${calls[0]}/extend`).expect(404);

    // Dialed calls made earlier from this campaign, up to 20 in all: 10% of 20 allows 2.
    const [contact] = await sql<{ id: string; phone: string }>(
      ctx.dbUrl,
      `SELECT id, phone FROM contacts WHERE campaign_id = $1 AND leased_to IS NULL LIMIT 1`,
      [campaignId],
    );
    const dialedBefore = (n: number) =>
      sql(
        ctx.dbUrl,
        `INSERT INTO calls (client_id, campaign_id, contact_id, caller_id, phone, state, lease_expires_at,
                            dialed_at, ended_at, disposition, outcome_at)
         SELECT $1, $2, $3, $4, $5, 'completed', $6, $6, $6, 'no_answer', $6 FROM generate_series(1, $7::int)`,
        [clientId, campaignId, contact.id, callers[0].id, contact.phone, ctx.clock.now(), n],
      );
    await dialedBefore(17);
    expect((await extend(1)).body).toEqual({ granted: true, capSeconds: 600 });
    expect((await extend(2)).body).toEqual({ ...refused, code: 'allowance_used' });
    // The 21st dialed call: ⌈2.1⌉ = 3.
    await dialedBefore(1);
    expect((await extend(2)).body).toEqual({ granted: true, capSeconds: 600 });
  });

  it('refuses an extension once the talk cap has passed, keeping the allowance', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({
      fields: { extendAllowancePct: 100 },
    });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0008,CA\n');
    const [me] = callers;
    const { body } = await post(me, '/calls/next', { campaignId }).expect(200);
    await post(me, `/calls/${body.callId}/dial`).expect(200);
    await post(me, `/telephony/simulated/calls/${body.callId}/events`, {
      event: 'answered',
    }).expect(200);
    ctx.clock.advance(300);
    const late = await post(me, `/calls/${body.callId}/extend`).expect(200);
    expect(late.body).toEqual({
      granted: false,
      capSeconds: 300,
      reason: 'the talk cap has passed',
      code: 'cap_passed',
    });
    const [call] = await sql<{ extended: boolean }>(
      ctx.dbUrl,
      'SELECT extended FROM calls WHERE id = $1',
      [body.callId],
    );
    expect(call.extended).toBe(false);
  });

  it('drives the call through signed status callbacks, stored once each, like Twilio would', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign();
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0011,CA\n');
    const [me] = callers;
    const token = await ctx.http().get('/telephony/token').auth(me.token, { type: 'bearer' });
    expect(token.body).toMatchObject({ mode: 'simulated', token: null });
    const { body } = await post(me, '/calls/next', { campaignId }).expect(200);
    await post(me, `/calls/${body.callId}/dial`).expect(200);
    for (const event of ['ringing', 'answered', 'answered', 'completed']) {
      await post(me, `/telephony/simulated/calls/${body.callId}/events`, { event }).expect(200);
    }
    const events = await sql<{ call_sid: string; sequence_number: number; status: string }>(
      ctx.dbUrl,
      'SELECT call_sid, sequence_number, status FROM call_events WHERE call_id = $1 ORDER BY sequence_number',
      [body.callId],
    );
    expect(events.map((e) => e.status)).toEqual([
      'initiated',
      'ringing',
      'in-progress',
      'in-progress',
      'completed',
    ]);
    expect(new Set(events.map((e) => e.call_sid)).size).toBe(1);
    expect(events[0].call_sid).toMatch(/^CA[0-9a-f]{32}$/);
    // Without Twilio the webhook routes still take nothing unsigned or signed with another token.
    const params = { CallSid: events[0].call_sid, CallStatus: 'busy', SequenceNumber: '9' };
    const url = `/telephony/twilio/status?callId=${body.callId}`;
    await ctx
      .http()
      .post(url)
      .type('form')
      .send(new URLSearchParams(params).toString())
      .expect(403);
    await ctx
      .http()
      .post(url)
      .type('form')
      .set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature('guess', ctx.config.publicBaseUrl + url, params),
      )
      .send(new URLSearchParams(params).toString())
      .expect(403);
  });

  it('ends a call at its cap by itself, and keeps one live call per caller', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ fields: { talkCapSeconds: 90 } });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0012,CA\n(213) 400-0013,CA\n');
    const [me] = callers;
    const a = await post(me, '/calls/next', { campaignId }).expect(200);
    await post(me, `/calls/${a.body.callId}/dial`).expect(200);
    await post(me, `/telephony/simulated/calls/${a.body.callId}/events`, {
      event: 'answered',
    }).expect(200);
    // A second contact may be claimed while talking, but not dialed.
    const b = await post(me, '/calls/next', { campaignId }).expect(200);
    const busy = await post(me, `/calls/${b.body.callId}/dial`).expect(409);
    expect(busy.body.message).toMatch(/already on a call/);
    const enforcer = ctx.app.get(CapEnforcer);
    ctx.clock.advance(89);
    expect(await enforcer.sweep()).toBe(0);
    ctx.clock.advance(1);
    expect(await enforcer.sweep()).toBe(1);
    const [row] = await sql<{ state: string; talk_seconds: number; hit_cap: boolean }>(
      ctx.dbUrl,
      'SELECT state, talk_seconds, hit_cap FROM calls WHERE id = $1',
      [a.body.callId],
    );
    expect(row).toEqual({ state: 'completed', talk_seconds: 90, hit_cap: true });
    await post(me, `/calls/${b.body.callId}/dial`).expect(200);
  });

  it('takes back a dial the phone never placed, but not one the provider has', async () => {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(campaignId, 'phone,state\n(213) 400-0021,CA\n');
    const [me, other] = callers;
    const { body } = await post(me, '/calls/next', { campaignId }).expect(200);
    const state = async () =>
      (
        await sql<{ state: string; dialed_at: Date | null }>(
          ctx.dbUrl,
          'SELECT state, dialed_at FROM calls WHERE id = $1',
          [body.callId],
        )
      )[0];
    await post(me, `/calls/${body.callId}/dial`).expect(200);
    // The browser's device failed before the provider asked for the call (say, no microphone).
    await post(other, `/calls/${body.callId}/cancel-dial`).expect(404);
    await post(me, `/calls/${body.callId}/cancel-dial`).expect(204);
    expect(await state()).toEqual({ state: 'leased', dialed_at: null });
    // Asking again changes nothing; the caller may dial again at once.
    await post(me, `/calls/${body.callId}/cancel-dial`).expect(204);
    await post(me, `/calls/${body.callId}/dial`).expect(200);
    // Once the phone has the call (the voice request came), it is too late: hang up instead.
    await post(me, `/telephony/simulated/calls/${body.callId}/events`, { event: 'ringing' }).expect(
      200,
    );
    const late = await post(me, `/calls/${body.callId}/cancel-dial`).expect(409);
    expect(late.body.message).toMatch(/hang up instead/);
    expect((await state()).state).toBe('ringing');
  });
});
