import { Client } from 'pg';
import { CapEnforcer } from '../src/calls/telephony/cap-enforcer';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/**
 * Who holds a contact, and for how long: a dial holds it through the call and its wrap-up, a
 * campaign that stops or a caller taken off it ends the hold, a late outcome on an old call
 * never ends a newer one, and a number on a do-not-call list is never shown, alternate or not.
 */
describe('leases', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const post = (caller: TestUser, path: string, body: object = {}) =>
    ctx.http().post(path).auth(caller.token, { type: 'bearer' }).send(body);
  const event = (caller: TestUser, callId: string, name: string) =>
    post(caller, `/telephony/simulated/calls/${callId}/events`, { event: name }).expect(200);
  const admin = () => ctx.adminToken;
  const callState = async (callId: string) =>
    (await sql<{ state: string }>(ctx.dbUrl, 'SELECT state FROM calls WHERE id = $1', [callId]))[0]
      .state;

  /** An active campaign of two callers (15-minute leases) with the Los Angeles contacts given. */
  async function setup(csv: string) {
    ctx.clock.set('2026-03-02T18:00:00Z');
    const c = await ctx.activeCampaign({ callerCount: 2 });
    await ctx.importCsv(c.campaignId, csv);
    return c;
  }

  it('holds a dialed contact through the call and its wrap-up, past the lease', async () => {
    const { campaignId, callers } = await setup('phone,state\n(213) 500-0001,CA\n');
    const [a, b] = callers;
    const first = await post(a, '/calls/next', { campaignId }).expect(200);
    // Dialed near the end of the 15-minute lease, and talking past it.
    ctx.clock.advance(840);
    await post(a, `/calls/${first.body.callId}/dial`).expect(200);
    await event(a, first.body.callId, 'answered');
    ctx.clock.advance(240);
    await post(b, '/calls/next', { campaignId }).expect(204);
    await event(a, first.body.callId, 'completed');
    // Wrap-up: still A's.
    ctx.clock.advance(100);
    await post(b, '/calls/next', { campaignId }).expect(204);
    const done = await post(a, `/calls/${first.body.callId}/outcome`, {
      disposition: 'not_interested',
    }).expect(200);
    expect(done.body.contact.status).toBe('closed');
    await post(b, '/calls/next', { campaignId }).expect(204);
  });

  it('gives the contact back once the wrap-up of a dialed call has passed without an outcome', async () => {
    const { campaignId, callers } = await setup('phone,state\n(213) 500-0002,CA\n');
    const [a, b] = callers;
    const first = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${first.body.callId}/dial`).expect(200);
    await event(a, first.body.callId, 'answered');
    ctx.clock.advance(60);
    await event(a, first.body.callId, 'completed');
    // Longer than any call and wrap-up: the hold ends, and the contact can be called again.
    ctx.clock.advance(3600);
    const again = await post(b, '/calls/next', { campaignId }).expect(200);
    expect(again.body.contact.id).toBe(first.body.contact.id);
  });

  it('marks a call with no outcome after its wrap-up and gives its contact back at once', async () => {
    const { campaignId, callers } = await setup('phone,state\n(213) 500-0011,CA\n');
    const [a, b] = callers;
    const first = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${first.body.callId}/dial`).expect(200);
    await event(a, first.body.callId, 'answered');
    ctx.clock.advance(60);
    await event(a, first.body.callId, 'completed');
    const sweep = () => ctx.app.get(CapEnforcer).sweep();
    ctx.clock.advance(119);
    await sweep();
    await post(b, '/calls/next', { campaignId }).expect(204);
    ctx.clock.advance(2);
    await sweep();
    expect(await callState(first.body.callId)).toBe('no_outcome');
    const again = await post(b, '/calls/next', { campaignId }).expect(200);
    expect(again.body.contact.id).toBe(first.body.contact.id);
    // The outcome that comes after is too late, and changes nothing.
    await post(a, `/calls/${first.body.callId}/outcome`, { disposition: 'not_interested' }).expect(
      409,
    );
    await post(b, `/calls/${again.body.callId}/dial`).expect(200);
  });

  it('takes over an expired lease without waiting for a request that has its old call locked', async () => {
    const { campaignId, callers } = await setup('phone,state\n(213) 500-0012,CA\n');
    const [a, b] = callers;
    const old = await post(a, '/calls/next', { campaignId }).expect(200);
    ctx.clock.advance(901);
    // A's own request (say, a late outcome) holds the old call's row meanwhile.
    const lock = new Client({ connectionString: ctx.dbUrl });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM calls WHERE id = $1 FOR UPDATE', [old.body.callId]);
      const claimed = await Promise.race([
        post(b, '/calls/next', { campaignId }),
        new Promise<'waited'>((r) => setTimeout(() => r('waited'), 5000)),
      ]);
      expect(claimed === 'waited' ? claimed : claimed.status).toBe(200);
    } finally {
      await lock.query('ROLLBACK');
      await lock.end();
    }
    // A's next claim ends the old lease; nothing is left to A.
    await post(a, '/calls/next', { campaignId }).expect(204);
    expect(await callState(old.body.callId)).toBe('expired');
  });

  it('ends a held lease when the campaign stops or the caller is taken off it, and refuses the dial', async () => {
    const { campaignId, callers } = await setup(
      'phone,state\n(213) 500-0003,CA\n(213) 500-0004,CA\n',
    );
    const [a, b] = callers;
    const held = await post(a, '/calls/next', { campaignId }).expect(200);
    await ctx
      .http()
      .patch(`/campaigns/${campaignId}`)
      .auth(admin(), { type: 'bearer' })
      .send({ status: 'paused' })
      .expect(200);
    const refused = await post(a, `/calls/${held.body.callId}/dial`).expect(409);
    expect(refused.body.message).toMatch(/paused/);
    await post(a, '/calls/next', { campaignId }).expect(204);
    expect(await callState(held.body.callId)).toBe('released');
    const [contact] = await sql<{ leased_to: string | null }>(
      ctx.dbUrl,
      'SELECT leased_to FROM contacts WHERE id = $1',
      [held.body.contact.id],
    );
    expect(contact.leased_to).toBeNull();

    await ctx
      .http()
      .patch(`/campaigns/${campaignId}`)
      .auth(admin(), { type: 'bearer' })
      .send({ status: 'active' })
      .expect(200);
    const mine = await post(a, '/calls/next', { campaignId }).expect(200);
    await ctx
      .http()
      .put(`/campaigns/${campaignId}/callers`)
      .auth(admin(), { type: 'bearer' })
      .send({ callerIds: [b.id] })
      .expect(200);
    const off = await post(a, `/calls/${mine.body.callId}/dial`).expect(409);
    expect(off.body.message).toMatch(/no longer assigned/);
    await post(a, '/calls/next', { campaignId }).expect(404);
    // The contact A held is free for the callers still on the campaign.
    const taken = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const got = await post(b, '/calls/next', { campaignId }).expect(200);
      taken.add(got.body.contact.id);
      await post(b, `/calls/${got.body.callId}/outcome`, { disposition: 'not_interested' }).expect(
        200,
      );
    }
    expect(taken.has(mine.body.contact.id)).toBe(true);
  });

  it('keeps a newer lease on the same contact when an old call gets a late outcome', async () => {
    const { campaignId, callers } = await setup('phone,state\n(213) 500-0005,CA\n');
    const [a, b] = callers;
    const old = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${old.body.callId}/release`).expect(204);
    const now = await post(a, '/calls/next', { campaignId }).expect(200);
    expect(now.body.contact.id).toBe(old.body.contact.id);
    await post(a, `/calls/${old.body.callId}/outcome`, { disposition: 'no_answer' }).expect(409);
    expect(await callState(old.body.callId)).toBe('released');
    await post(b, '/calls/next', { campaignId }).expect(204);
    await post(a, `/calls/${now.body.callId}/dial`).expect(200);
  });

  it('answers 409, not 500, to taking back a dial after taking another contact', async () => {
    const { campaignId, callers } = await setup(
      'phone,state\n(213) 500-0006,CA\n(213) 500-0007,CA\n',
    );
    const [a] = callers;
    const x = await post(a, '/calls/next', { campaignId }).expect(200);
    await post(a, `/calls/${x.body.callId}/dial`).expect(200);
    const y = await post(a, '/calls/next', { campaignId }).expect(200);
    expect(y.body.callId).not.toBe(x.body.callId);
    const res = await post(a, `/calls/${x.body.callId}/cancel-dial`).expect(409);
    expect(res.body.message).toMatch(/another contact/);
    expect(await callState(x.body.callId)).toBe('dialing');
  });

  it('never shows an alternate phone that is on a do-not-call list', async () => {
    const { clientId, campaignId, callers } = await setup(
      'phone,alt phone,other phone,state\n(213) 500-0008,(213) 500-0009,(213) 500-0010,CA\n',
    );
    await ctx
      .http()
      .post('/dnc')
      .auth(admin(), { type: 'bearer' })
      .send({ phone: '213-500-0009', clientId })
      .expect(201);
    const got = await post(callers[0], '/calls/next', { campaignId }).expect(200);
    expect(got.body.contact.altPhones).toEqual(['+12135000010']);
    // Asked again (the lease read back): the same.
    const again = await post(callers[0], '/calls/next', { campaignId }).expect(200);
    expect(again.body.callId).toBe(got.body.callId);
    expect(again.body.contact.altPhones).toEqual(['+12135000010']);
  });
});
