import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';
import { asUser, COMPLETE, referralSetup, referVia } from './referral-fixtures';

const LA = 'America/Los_Angeles';
const CT = 'America/Chicago';
const ET = 'America/New_York';

/**
 * The caller's inbox (referrals returned to them, their recalls, taking a due recall first),
 * recall times checked in every zone the contact may be in, and the contact card of a claim.
 */
describe("the caller's inbox and contact card", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const as = (token: string) => asUser(ctx, token);
  const next = (caller: TestUser, body: object = {}) => as(caller.token).post('/calls/next', body);
  const outcome = (caller: TestUser, callId: string, body: object) =>
    as(caller.token).post(`/calls/${callId}/outcome`, body);
  /** A refusal with its stable code. */
  const refused = (status: number, code: string) =>
    expect.objectContaining({ statusCode: status, code, message: expect.any(String) });

  describe('referrals returned to the caller', () => {
    it('lists them with the reason for their caller only, and takes them back resubmitted', async () => {
      const s = await referralSetup(ctx);
      await as(ctx.adminToken).patch(`/users/${s.am.id}`, { name: 'Rita Reviewer' }).expect(200);
      const out = await referVia(ctx, s.campaignId, s.caller, {
        ...COMPLETE,
        budget: undefined,
        contact: { name: 'Pat Lowe', phone: '+1 (512) 555-0177' },
      });
      expect(out.referralStatus).toBe('needs_review');
      // Nothing returned yet.
      expect((await as(s.caller.token).get('/callers/me/returned').expect(200)).body).toEqual([]);
      ctx.clock.set('2026-03-02T19:15:00Z');
      await as(s.am.token)
        .post(`/referrals/${out.referralId}/return`, { reason: 'Get the title and the company' })
        .expect(200);

      const mine = await as(s.caller.token).get('/callers/me/returned').expect(200);
      const [contact] = await sql<{ id: string; company: string | null }>(
        ctx.dbUrl,
        'SELECT c.id, c.company FROM contacts c JOIN calls k ON k.contact_id = c.id WHERE k.id = $1',
        [out.callId],
      );
      const [campaign] = await sql<{ name: string }>(
        ctx.dbUrl,
        'SELECT name FROM campaigns WHERE id = $1',
        [s.campaignId],
      );
      expect(mine.body).toEqual([
        {
          id: out.referralId,
          callId: out.callId,
          contactId: String(contact.id),
          reason: 'Get the title and the company',
          returnedAt: '2026-03-02T19:15:00.000Z',
          returnedBy: 'Rita Reviewer',
          campaign: { id: s.campaignId, name: campaign.name },
          company: contact.company,
          rating: 'needs_work',
          need: COMPLETE.need,
          timeframe: 'quarter',
          budget: null,
          decisionMaker: 'yes',
          employees: 120,
          expectingCall: true,
          nextStep: 'quote',
          contact: {
            name: 'Pat Lowe',
            title: null,
            phone: '+15125550177',
            email: null,
            website: null,
            company: null,
          },
          score: expect.any(Number),
          problems: expect.arrayContaining([
            expect.objectContaining({ field: expect.any(String) }),
          ]),
          createdAt: '2026-03-02T18:00:00.000Z',
        },
      ]);

      // Nobody else sees it: another caller gets an empty list and cannot resubmit it; the
      // manager, a client user and an API key are not callers.
      const stranger = await ctx.newUser('caller');
      expect((await as(stranger.token).get('/callers/me/returned').expect(200)).body).toEqual([]);
      await as(stranger.token)
        .post(`/referrals/${out.referralId}/resubmit`, { need: 'x' })
        .expect(404);
      const portal = await ctx.newUser('client', s.clientId);
      const key = await ctx.newApiKey(s.clientId);
      for (const token of [s.am.token, portal.token, key.key]) {
        await as(token).get('/callers/me/returned').expect(403);
        await as(token).post(`/referrals/${out.referralId}/resubmit`, {}).expect(403);
      }

      const fixed = await as(s.caller.token)
        .post(`/referrals/${out.referralId}/resubmit`, {
          budget: 'confirmed',
          contact: { title: 'Owner', company: 'Lowe Freight', email: 'pat@lowe.example' },
        })
        .expect(200);
      expect(fixed.body).toMatchObject({
        status: 'needs_review',
        reviewReason: 'resubmitted',
        budget: 'confirmed',
        problems: [],
        contact: { name: 'Pat Lowe', title: 'Owner', company: 'Lowe Freight' },
      });
      expect(fixed.body.score).toBeGreaterThan(mine.body[0].score);
      // Out of the inbox, back in the review queue; not twice.
      expect((await as(s.caller.token).get('/callers/me/returned').expect(200)).body).toEqual([]);
      const queue = await as(s.am.token).get('/referrals?status=needs_review').expect(200);
      expect(queue.body.map((r: { id: string }) => r.id)).toContain(out.referralId);
      const again = await as(s.caller.token)
        .post(`/referrals/${out.referralId}/resubmit`, { need: 'x' })
        .expect(409);
      expect(again.body.code).toBe('conflict');
      await as(s.am.token).post(`/referrals/${out.referralId}/approve`).expect(200);
      const staff = await as(s.am.token).get(`/referrals/${out.referralId}`).expect(200);
      expect(staff.body.status).toBe('published');
      expect(staff.body.history.map((h: { action: string }) => h.action)).toEqual([
        'created',
        'returned',
        'edited',
        'resubmitted',
        'published',
      ]);
    });
  });

  describe('recalls', () => {
    /** An active campaign of two callers (none of its contacts yet). */
    async function campaign(fields: Record<string, unknown> = {}) {
      ctx.clock.set('2026-03-02T18:00:00Z'); // 10:00 Los Angeles, 12:00 Chicago, 13:00 New York
      return ctx.activeCampaign({ callerCount: 2, fields });
    }

    /** Imports one contact, has `caller` claim it and book a recall: answers the contact's id. */
    async function book(
      caller: TestUser,
      campaignId: string,
      row: { company: string; phone: string; state: string; zip?: string },
      recallAt: string,
      notes?: string,
    ): Promise<string> {
      const report = await ctx.importCsv(
        campaignId,
        `company,phone,state,zip\n${row.company},${row.phone},${row.state},${row.zip ?? ''}\n`,
      );
      expect(report.imported).toBe(1);
      const got = await next(caller, { campaignId }).expect(200);
      expect(got.body.contact.company).toBe(row.company);
      await outcome(caller, got.body.callId, { disposition: 'recall', recallAt, notes }).expect(
        200,
      );
      return got.body.contact.id as string;
    }

    it("lists each caller's own recalls, soonest first, with the time on every zone's clock", async () => {
      const { clientId, campaignId, callers } = await campaign();
      const [a, b] = callers;
      const acme = await book(
        a,
        campaignId,
        { company: 'Acme', phone: '(213) 230-0001', state: 'CA' },
        '2026-03-03T10:30:00-08:00',
        'Ask for Dana',
      );
      await book(
        b,
        campaignId,
        { company: 'Birch', phone: '(213) 230-0002', state: 'CA' },
        '2026-03-03T09:00:00-08:00',
      );
      // Paducah, Kentucky: Central or Eastern.
      const cedar = await book(
        a,
        campaignId,
        { company: 'Cedar', phone: '(270) 230-0003', state: 'KY', zip: '42001' },
        '2026-03-03T09:10:00-06:00',
      );
      // Not a recall: not listed.
      await ctx.importCsv(campaignId, 'company,phone,state\nDune,(213) 230-0004,CA\n');
      const dune = await next(a, { campaignId }).expect(200);
      await outcome(a, dune.body.callId, { disposition: 'no_answer' }).expect(200);

      const [{ name }] = await sql<{ name: string }>(
        ctx.dbUrl,
        'SELECT name FROM campaigns WHERE id = $1',
        [campaignId],
      );
      const list = await as(a.token).get('/callers/me/recalls').expect(200);
      expect(list.body).toEqual([
        {
          contactId: cedar,
          callId: expect.any(String),
          campaign: { id: campaignId, name },
          company: 'Cedar',
          firstName: null,
          lastName: null,
          title: null,
          phone: '+12702300003',
          recallAt: '2026-03-03T15:10:00.000Z',
          timezones: [CT, ET],
          localTimes: [
            { zone: CT, localTime: '2026-03-03T09:10' },
            { zone: ET, localTime: '2026-03-03T10:10' },
          ],
          due: false,
          notes: null,
        },
        expect.objectContaining({
          contactId: acme,
          company: 'Acme',
          recallAt: '2026-03-03T18:30:00.000Z',
          timezones: [LA],
          localTimes: [{ zone: LA, localTime: '2026-03-03T10:30' }],
          due: false,
          notes: 'Ask for Dana',
        }),
      ]);
      const ofB = await as(b.token).get('/callers/me/recalls').expect(200);
      expect(ofB.body.map((r: { company: string }) => r.company)).toEqual(['Birch']);
      // A caller of another campaign, the manager, a client user, an API key: nothing of it.
      const outsider = await ctx.newUser('caller');
      expect((await as(outsider.token).get('/callers/me/recalls').expect(200)).body).toEqual([]);
      const am = await ctx.newUser('account_manager');
      await ctx.assignManagers(clientId, [am.id]);
      const portal = await ctx.newUser('client', clientId);
      const key = await ctx.newApiKey(clientId);
      for (const token of [am.token, portal.token, key.key, ctx.adminToken]) {
        await as(token).get('/callers/me/recalls').expect(403);
      }
      // Due once its time has come.
      ctx.clock.set('2026-03-03T15:10:00Z');
      const later = await as(a.token).get('/callers/me/recalls').expect(200);
      expect(later.body.map((r: { company: string; due: boolean }) => [r.company, r.due])).toEqual([
        ['Cedar', true],
        ['Acme', false],
      ]);
    });

    it('takes one’s own due recall first, releasing an undialed lease on another contact', async () => {
      const { campaignId, callers } = await campaign({
        pitches: [{ name: 'Savings', text: 'Save a third' }],
      });
      const [a, b] = callers;
      const acme = await book(
        a,
        campaignId,
        { company: 'Acme', phone: '(213) 240-0001', state: 'CA' },
        '2026-03-03T10:30:00-08:00',
      );
      const birch = await book(
        b,
        campaignId,
        { company: 'Birch', phone: '(212) 240-0002', state: 'NY' },
        '2026-03-03T10:05:00-05:00',
      );
      const cedar = await book(
        a,
        campaignId,
        { company: 'Cedar', phone: '(270) 240-0003', state: 'KY', zip: '42001' },
        '2026-03-03T09:10:00-06:00',
      );
      await ctx.importCsv(campaignId, 'company,phone,state\nElm,(212) 240-0004,NY\n');

      // 10:00 in New York, 09:00 in Chicago, 07:00 in Los Angeles: nothing due yet.
      ctx.clock.set('2026-03-03T15:00:00Z');
      const held = await next(a, { campaignId }).expect(200);
      expect(held.body.contact.company).toBe('Elm');
      const notDue = await next(a, { contactId: cedar }).expect(409);
      expect(notDue.body).toEqual(refused(409, 'no_contact_now'));
      expect(notDue.body.message).toMatch(/not yet/);

      // Another caller's recall, an unknown contact, one that is no recall: refused alike.
      ctx.clock.set('2026-03-03T15:10:00Z');
      for (const [caller, contactId] of [
        [b, cedar],
        [a, '999999999'],
        [a, held.body.contact.id],
      ] as const) {
        const res = await next(caller, { contactId }).expect(409);
        expect(res.body).toEqual(refused(409, 'no_contact_now'));
      }
      await next(a, { contactId: 'abc' }).expect(400);
      // Of another campaign than the one named.
      const other = await ctx.activeCampaign({ callers: [a] });
      await next(a, { contactId: cedar, campaignId: other.campaignId }).expect(409);
      // Elm's lease still holds: Cedar is not handed to another caller meanwhile.
      const taken = await next(a, { contactId: cedar }).expect(200);
      expect(taken.body).toMatchObject({
        contact: {
          id: cedar,
          company: 'Cedar',
          timezones: [CT, ET],
          localTimes: [
            { zone: CT, localTime: '09:10' },
            { zone: ET, localTime: '10:10' },
          ],
        },
        campaign: { id: campaignId },
        pitch: { key: 'savings' },
      });
      expect(taken.body.callId).not.toBe(held.body.callId);
      // The booking call is among its earlier calls.
      expect(taken.body.earlierCalls).toEqual([
        expect.objectContaining({ disposition: 'recall', byYou: true }),
      ]);
      const [released] = await sql<{ state: string; leased_to: string | null }>(
        ctx.dbUrl,
        'SELECT k.state, c.leased_to FROM calls k JOIN contacts c ON c.id = k.contact_id WHERE k.id = $1',
        [held.body.callId],
      );
      expect(released).toEqual({ state: 'released', leased_to: null });
      // Asking again answers the same lease; so does the plain claim.
      expect((await next(a, { contactId: cedar }).expect(200)).body.callId).toBe(taken.body.callId);
      expect((await next(a).expect(200)).body.callId).toBe(taken.body.callId);

      // On a call (dialing, then talking): refused as such.
      await as(a.token).post(`/calls/${taken.body.callId}/dial`).expect(200);
      const event = (name: string) =>
        as(a.token)
          .post(`/telephony/simulated/calls/${taken.body.callId}/events`, { event: name })
          .expect(200);
      for (const step of ['dialing', 'answered']) {
        if (step !== 'dialing') await event(step);
        const live = await next(a, { contactId: cedar }).expect(409);
        expect(live.body).toEqual(refused(409, 'call_live'));
      }
      await event('completed');
      await outcome(a, taken.body.callId, { disposition: 'not_interested' }).expect(200);
      // Once the call is over, a due recall is taken; Birch (B's, due) never is by A.
      ctx.clock.set('2026-03-03T18:31:00Z');
      expect((await next(a, { contactId: acme }).expect(200)).body.contact.id).toBe(acme);
      expect((await next(a, { contactId: birch }).expect(409)).body.code).toBe('no_contact_now');
      expect((await as(a.token).get('/callers/me/recalls').expect(200)).body).toEqual([
        expect.objectContaining({ contactId: acme, due: true }),
      ]);
    });

    it('refuses a due recall that may not be called now: hours, do-not-call, off the campaign', async () => {
      const { clientId, campaignId, callers } = await campaign();
      const [a, b] = callers;
      const fir = await book(
        a,
        campaignId,
        { company: 'Fir', phone: '(213) 250-0001', state: 'CA' },
        '2026-03-03T20:50:00-08:00',
      );
      const gum = await book(
        a,
        campaignId,
        { company: 'Gum', phone: '(213) 250-0002', state: 'CA' },
        '2026-03-03T11:00:00-08:00',
      );
      // 21:05 in Los Angeles: both due, neither may be called.
      ctx.clock.set('2026-03-04T05:05:00Z');
      for (const contactId of [fir, gum]) {
        const res = await next(a, { contactId }).expect(409);
        expect(res.body).toEqual(refused(409, 'no_contact_now'));
        expect(res.body.message).toMatch(/calling hours/);
      }
      // 08:00 the next morning: Gum's number is put on the client's do-not-call list.
      ctx.clock.set('2026-03-04T16:00:00Z');
      await as(ctx.adminToken).post('/dnc', { phone: '+12132500002', clientId }).expect(201);
      const listed = await next(a, { contactId: gum }).expect(409);
      expect(listed.body).toEqual(refused(409, 'no_contact_now'));
      expect(listed.body.message).toMatch(/do-not-call/);
      // Taken off the campaign: Fir is refused, and no longer listed.
      const assign = (callerIds: string[]) =>
        ctx
          .http()
          .put(`/campaigns/${campaignId}/callers`)
          .auth(ctx.adminToken, { type: 'bearer' })
          .send({ callerIds })
          .expect(200);
      await assign([b.id]);
      const off = await next(a, { contactId: fir }).expect(409);
      expect(off.body).toEqual(refused(409, 'no_contact_now'));
      expect(off.body.message).toMatch(/no longer on the campaign/);
      expect((await as(a.token).get('/callers/me/recalls').expect(200)).body).toEqual([]);
      // Back on it, Fir is taken.
      await assign([a.id, b.id]);
      expect((await next(a, { contactId: fir }).expect(200)).body.contact.id).toBe(fir);
    });
  });

  describe('recall time in every candidate zone', () => {
    it.each([
      [
        'a 09:00-17:00 campaign, Paducah KY (Central or Eastern)',
        { callingWindow: { start: '09:00', end: '17:00' } },
        '(270) 260-0001,KY,42001',
        [
          ['2026-03-03T17:30:00-05:00', ET], // 17:30 New York, 16:30 Chicago
          ['2026-03-03T08:30:00-06:00', CT], // 08:30 Chicago, 09:30 New York
        ],
        '2026-03-03T16:30:00-05:00', // 16:30 New York, 15:30 Chicago
      ],
      [
        "Panama City FL (Central or Eastern), Florida's 08:00-20:00",
        {},
        '(850) 260-0002,FL,32401',
        [['2026-03-03T20:30:00-05:00', ET]], // 20:30 New York: legal, not in Florida
        '2026-03-03T19:30:00-05:00',
      ],
    ] as const)(
      'refuses a time outside the window in any zone: %s',
      async (_label, fields, row, refusedTimes, accepted) => {
        ctx.clock.set('2026-03-02T18:00:00Z');
        const { campaignId, callers } = await ctx.activeCampaign({ fields });
        await ctx.importCsv(campaignId, `phone,state,zip\n${row}\n`);
        const got = await next(callers[0], { campaignId }).expect(200);
        expect(got.body.contact.timezones).toEqual([CT, ET]);
        for (const [recallAt, zone] of refusedTimes) {
          const res = await outcome(callers[0], got.body.callId, {
            disposition: 'recall',
            recallAt,
          }).expect(400);
          expect(res.body).toEqual(refused(400, 'outside_calling_hours'));
          expect(res.body.details).toEqual([
            { field: 'recallAt', message: expect.stringContaining(zone) },
          ]);
          expect(res.body.details[0].message).not.toContain(zone === ET ? CT : ET);
        }
        const ok = await outcome(callers[0], got.body.callId, {
          disposition: 'recall',
          recallAt: accepted,
        }).expect(200);
        expect(ok.body.contact).toMatchObject({
          status: 'recall',
          nextCallAt: new Date(accepted).toISOString(),
        });
      },
    );
  });

  describe('the contact card', () => {
    it("answers the address, the list's own columns and the callable alternate phones", async () => {
      ctx.clock.set('2026-03-02T18:00:00Z');
      const { clientId, campaignId, callers } = await ctx.activeCampaign();
      const report = await ctx.importCsv(
        campaignId,
        'Company,First Name,Last Name,Title,Phone,Alt Phone,Other Phone,Email,Website,Address,City,State,Zip,Country,CRM Note,Fax Note\n' +
          'Acme Roofing,Ann,Lee,CFO,(213) 270-0001,(213) 270-0002,(213) 270-0003,ann@acme.example,acme.example,' +
          '12 Main St,Los Angeles,CA,90012,US,call after 2 pm,\n',
      );
      expect(report.imported).toBe(1);
      await as(ctx.adminToken).post('/dnc', { phone: '+12132700003', clientId }).expect(201);
      const first = await next(callers[0]).expect(200);
      expect(first.body.contact).toMatchObject({
        company: 'Acme Roofing',
        firstName: 'Ann',
        lastName: 'Lee',
        title: 'CFO',
        phone: '+12132700001',
        email: 'ann@acme.example',
        website: 'acme.example',
        street: '12 Main St',
        city: 'Los Angeles',
        state: 'CA',
        zip: '90012',
        country: 'US',
        timezone: LA,
        timezones: [LA],
        localTime: '10:00',
        localTimes: [{ zone: LA, localTime: '10:00' }],
        attempts: 0,
      });
      // The list's own columns, an empty cell left out; the listed number never shown.
      expect(first.body.contact.custom).toEqual({ 'CRM Note': 'call after 2 pm' });
      expect(first.body.contact.altPhones).toEqual(['+12132700002']);
      // The same card for the lease asked for again (read back, not from the claim).
      const again = await next(callers[0]).expect(200);
      expect(again.body.callId).toBe(first.body.callId);
      expect(again.body.contact).toEqual(first.body.contact);
    });
  });
});
