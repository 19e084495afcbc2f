import type { TestContext, TestUser } from './harness';

export const NEED =
  'Wants solar panels on a 40,000 sq ft warehouse roof before the summer peak rates.';
export const COMPLETE = {
  rating: 'needs_work',
  need: NEED,
  timeframe: 'quarter',
  budget: 'likely',
  decisionMaker: 'yes',
  employees: 120,
  expectingCall: true,
  nextStep: 'quote',
  contact: {
    name: 'Dana Whitfield',
    title: 'Facilities Director',
    phone: '+1 (512) 555-0142',
    email: 'dana@whitfield-logistics.example',
    company: 'Whitfield Logistics',
  },
};

/** Requests as one bearer token. */
export function asUser(ctx: TestContext, token: string) {
  return {
    get: (path: string) => ctx.http().get(path).auth(token, { type: 'bearer' }),
    post: (path: string, body: object = {}) =>
      ctx.http().post(path).auth(token, { type: 'bearer' }).send(body),
    patch: (path: string, body: object = {}) =>
      ctx.http().patch(path).auth(token, { type: 'bearer' }).send(body),
  };
}

/** A client with an active campaign, three reps (Texas, solar, default), a manager and a caller. */
export async function referralSetup(
  ctx: TestContext,
  fields: Record<string, unknown> = {},
  timezone?: string,
) {
  ctx.clock.set('2026-03-02T18:00:00Z');
  const client = await ctx.newClient(ctx.unique('Whitfield'), timezone);
  const { campaignId, callers } = await ctx.activeCampaign({
    clientId: client.id,
    fields: { product: 'Commercial solar', ...fields },
  });
  const admin = asUser(ctx, ctx.adminToken);
  const rep = async (body: object) =>
    (await admin.post(`/clients/${client.id}/reps`, body).expect(201)).body as { id: string };
  const texas = await rep({ name: 'Tex Ranger', email: 'tex@w.example', territories: ['TX'] });
  const solar = await rep({
    name: 'Sol Panel',
    email: 'sol@w.example',
    specialties: ['solar panels'],
    territories: ['CA'],
  });
  const fallback = await rep({ name: 'Default Dee', email: 'dee@w.example', isDefault: true });
  const am = await ctx.newUser('account_manager');
  await ctx.assignManagers(client.id, [am.id]);
  return {
    clientId: client.id,
    campaignId,
    caller: callers[0],
    am,
    reps: { texas, solar, fallback },
  };
}

let contactSeq = 0;

/** Imports one contact in `state`, claims it and records a referral outcome for it. */
export async function referVia(
  ctx: TestContext,
  campaignId: string,
  caller: TestUser,
  referral: object,
  state = 'TX',
  zip = '78701',
): Promise<{ referralId: string; referralStatus: string; callId: string }> {
  contactSeq += 1;
  await ctx.importCsv(
    campaignId,
    `phone,state,zip\n(512) 555-${String(1000 + contactSeq).slice(-4)},${state},${zip}\n`,
  );
  const as = asUser(ctx, caller.token);
  const next = await as.post('/calls/next', { campaignId }).expect(200);
  const res = await as
    .post(`/calls/${next.body.callId}/outcome`, { disposition: 'referral', referral })
    .expect(200);
  return res.body;
}
