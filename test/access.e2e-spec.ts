import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY, type AccessRule } from '../src/auth/access.decorators';
import type { Audience } from '../src/auth/roles';
import { TestContext, type TestUser } from './harness';
import { sql } from './pg-server';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Ids {
  client: string;
  campaign: string;
  importId: string;
  contact: string;
  manager?: string;
  caller?: string;
  callerToken?: string;
  rep: string;
  key: string;
  user: string;
}
interface Route {
  method: Method;
  path: string;
  /** Builds the concrete path for one client's ids. */
  url: (ids: Ids) => string;
  allowed: Audience[] | 'public';
  /** A valid body, so that 404 (not 400) is what a foreign tenant sees. */
  body?: (ids: Ids) => object;
  /** Scoped to one client: someone of another client must get 404. */
  tenant?: boolean;
  /** A CSV body instead of JSON. */
  csv?: string;
  /** What an allowed principal may get besides 2xx (e.g. 404 for a call they do not hold). */
  alsoOk?: number[];
}

const STAFF_AND_CLIENT: Audience[] = ['admin', 'account_manager', 'client'];

/** Every route of the service. The last test fails when a route is added without a row here. */
const ROUTES: Route[] = [
  { method: 'post', path: '/auth/login', url: () => '/auth/login', allowed: 'public' },
  { method: 'get', path: '/health', url: () => '/health', allowed: 'public' },
  {
    method: 'get',
    path: '/auth/me',
    url: () => '/auth/me',
    allowed: ['admin', 'account_manager', 'caller', 'client'],
  },
  {
    method: 'post',
    path: '/users',
    url: () => '/users',
    allowed: ['admin'],
    body: () => ({ email: 'x@y.example', password: 'long-enough-1', role: 'caller' }),
  },
  { method: 'get', path: '/users', url: () => '/users', allowed: ['admin'] },
  { method: 'get', path: '/callers', url: () => '/callers', allowed: ['admin', 'account_manager'] },
  // Each caller's own (test/caller-inbox.e2e-spec.ts shows another caller sees none of it).
  ...['returned', 'recalls'].map((what): Route => ({
    method: 'get',
    path: `/callers/me/${what}`,
    url: () => `/callers/me/${what}`,
    allowed: ['caller'],
  })),
  // The caller's own state (test/caller-states.e2e-spec.ts), and the managers' floor.
  ...(
    [
      ['put', { state: 'ready' }],
      ['get', undefined],
      ['delete', undefined],
    ] as [Method, object | undefined][]
  ).map(([method, body]): Route => ({
    method,
    path: '/callers/me/state',
    url: () => '/callers/me/state',
    allowed: ['caller'],
    body: body ? () => body : undefined,
  })),
  {
    method: 'get',
    path: '/callers/states',
    url: () => '/callers/states',
    allowed: ['admin', 'account_manager'],
  },
  ...(['put', 'delete'] as Method[]).map((method): Route => ({
    method,
    path: '/contacts/:id/consent',
    url: (i) => `/contacts/${i.contact}/consent`,
    allowed: ['admin', 'account_manager'],
    body: method === 'put' ? () => ({ consentAt: '2026-01-15', source: 'signed form' }) : undefined,
    tenant: true,
  })),
  {
    method: 'patch',
    path: '/users/:id',
    url: (i) => `/users/${i.user}`,
    allowed: ['admin'],
    body: () => ({ name: 'N' }),
  },
  {
    method: 'post',
    path: '/clients',
    url: () => '/clients',
    allowed: ['admin', 'account_manager'],
    body: () => ({ name: 'C' }),
  },
  { method: 'get', path: '/clients', url: () => '/clients', allowed: STAFF_AND_CLIENT },
  {
    method: 'get',
    path: '/clients/:id',
    url: (i) => `/clients/${i.client}`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  {
    method: 'patch',
    path: '/clients/:id',
    url: (i) => `/clients/${i.client}`,
    allowed: ['admin', 'account_manager'],
    body: () => ({ name: 'Renamed' }),
    tenant: true,
  },
  {
    method: 'put',
    path: '/clients/:id/managers',
    url: (i) => `/clients/${i.client}/managers`,
    allowed: ['admin'],
    body: (i) => ({ userIds: i.manager ? [i.manager] : [] }),
  },
  {
    method: 'get',
    path: '/clients/:id/reps',
    url: (i) => `/clients/${i.client}/reps`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  {
    method: 'post',
    path: '/clients/:id/reps',
    url: (i) => `/clients/${i.client}/reps`,
    allowed: STAFF_AND_CLIENT,
    body: () => ({ name: 'R', email: `r${Math.random()}@x.example` }),
    tenant: true,
  },
  {
    method: 'patch',
    path: '/clients/:id/reps/:repId',
    url: (i) => `/clients/${i.client}/reps/${i.rep}`,
    allowed: STAFF_AND_CLIENT,
    body: () => ({ available: true }),
    tenant: true,
  },
  {
    method: 'post',
    path: '/clients/:id/webhooks',
    url: (i) => `/clients/${i.client}/webhooks`,
    allowed: STAFF_AND_CLIENT,
    body: () => ({ url: 'https://93.184.216.34/hooks/referrals' }),
    tenant: true,
  },
  {
    method: 'get',
    path: '/clients/:id/webhooks',
    url: (i) => `/clients/${i.client}/webhooks`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  {
    method: 'delete',
    path: '/clients/:id/webhooks/:webhookId',
    url: (i) => `/clients/${i.client}/webhooks/00000000-0000-4000-8000-000000000000`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
    alsoOk: [404],
  },
  {
    method: 'get',
    path: '/clients/:id/webhook-deliveries',
    url: (i) => `/clients/${i.client}/webhook-deliveries`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  { method: 'get', path: '/referrals/export', url: () => '/referrals/export', allowed: ['client'] },
  {
    method: 'get',
    path: '/referrals',
    url: () => '/referrals?status=needs_review',
    allowed: ['admin', 'account_manager', 'caller', 'client'],
  },
  ...(
    [
      ['get', '', ['admin', 'account_manager', 'caller', 'client'], undefined],
      ['patch', '', ['admin', 'account_manager', 'caller'], {}],
      ['post', '/resubmit', ['caller'], {}],
      ['post', '/approve', ['admin', 'account_manager'], {}],
      ['post', '/return', ['admin', 'account_manager'], { reason: 'find the title' }],
      ['post', '/feedback', ['client'], { status: 'contacted' }],
    ] as [Method, string, Audience[], object | undefined][]
  ).map(([method, suffix, allowed, body]): Route => ({
    method,
    path: `/referrals/:id${suffix}`,
    // Tenant isolation of referrals: test/referrals.e2e-spec.ts.
    url: () => `/referrals/00000000-0000-4000-8000-000000000000${suffix}`,
    allowed,
    body: body ? () => body : undefined,
    alsoOk: [404],
  })),
  {
    method: 'get',
    path: '/reports/clients/:id',
    url: (i) => `/reports/clients/${i.client}`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  {
    method: 'get',
    path: '/reports/campaigns/:id',
    url: (i) => `/reports/campaigns/${i.campaign}`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  {
    method: 'get',
    path: '/reports/callers/:id',
    url: (i) => `/reports/callers/${i.caller}`,
    allowed: ['admin', 'account_manager', 'caller'],
  },
  { method: 'get', path: '/v1/referrals', url: () => '/v1/referrals', allowed: ['api_key'] },
  {
    method: 'post',
    path: '/v1/referrals/:id/feedback',
    url: () => '/v1/referrals/00000000-0000-4000-8000-000000000000/feedback',
    allowed: ['api_key'],
    body: () => ({ status: 'contacted' }),
    alsoOk: [404],
  },
  {
    method: 'get',
    path: '/clients/:id/api-keys',
    url: (i) => `/clients/${i.client}/api-keys`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  {
    method: 'post',
    path: '/clients/:id/api-keys',
    url: (i) => `/clients/${i.client}/api-keys`,
    allowed: STAFF_AND_CLIENT,
    body: () => ({}),
    tenant: true,
  },
  {
    method: 'delete',
    path: '/clients/:id/api-keys/:keyId',
    url: (i) => `/clients/${i.client}/api-keys/${i.key}`,
    allowed: STAFF_AND_CLIENT,
    tenant: true,
  },
  { method: 'get', path: '/v1/me', url: () => '/v1/me', allowed: ['api_key'] },
  {
    method: 'post',
    path: '/campaigns',
    url: () => '/campaigns',
    allowed: ['admin', 'account_manager'],
    body: (i) => ({ clientId: i.client, name: 'C' }),
    tenant: true,
  },
  {
    method: 'get',
    path: '/campaigns',
    url: () => '/campaigns',
    allowed: ['admin', 'account_manager', 'caller', 'client'],
  },
  {
    method: 'get',
    path: '/campaigns/:id',
    url: (i) => `/campaigns/${i.campaign}`,
    allowed: ['admin', 'account_manager', 'caller', 'client'],
    tenant: true,
  },
  {
    method: 'patch',
    path: '/campaigns/:id',
    url: (i) => `/campaigns/${i.campaign}`,
    allowed: ['admin', 'account_manager'],
    body: () => ({ product: 'Solar' }),
    tenant: true,
  },
  {
    method: 'put',
    path: '/campaigns/:id/callers',
    url: (i) => `/campaigns/${i.campaign}/callers`,
    allowed: ['admin', 'account_manager'],
    body: (i) => ({ callerIds: i.caller ? [i.caller] : [] }),
    tenant: true,
  },
  {
    method: 'post',
    path: '/campaigns/:id/imports',
    url: (i) => `/campaigns/${i.campaign}/imports`,
    allowed: ['admin', 'account_manager'],
    csv: 'phone\n',
    tenant: true,
  },
  {
    method: 'get',
    path: '/campaigns/:id/imports/:importId',
    url: (i) => `/campaigns/${i.campaign}/imports/${i.importId}`,
    allowed: ['admin', 'account_manager'],
    tenant: true,
  },
  // A client's list: its managers and admins. The global list and registry extracts are the
  // admins' alone (403 for managers, inside the route: test/dnc-authority.e2e-spec.ts).
  {
    method: 'post',
    path: '/dnc',
    url: () => '/dnc',
    allowed: ['admin', 'account_manager'],
    body: (i) => ({ phone: '(212) 736-5000', clientId: i.client }),
    tenant: true,
  },
  {
    method: 'post',
    path: '/dnc/imports',
    url: (i) => `/dnc/imports?clientId=${i.client}`,
    allowed: ['admin', 'account_manager'],
    csv: '2127365001\n',
    tenant: true,
  },
  {
    method: 'get',
    path: '/dnc/:phone',
    url: () => '/dnc/2127365000',
    allowed: ['admin', 'account_manager'],
  },
  {
    method: 'post',
    path: '/calls/next',
    url: () => '/calls/next',
    allowed: ['caller'],
    body: () => ({}),
  },
  { method: 'get', path: '/calls/current', url: () => '/calls/current', allowed: ['caller'] },
  {
    method: 'post',
    path: '/calls/:callId/dial',
    url: () => '/calls/00000000-0000-4000-8000-000000000000/dial',
    allowed: ['caller'],
    alsoOk: [404],
  },
  {
    method: 'post',
    path: '/calls/:callId/extend',
    url: () => '/calls/00000000-0000-4000-8000-000000000000/extend',
    allowed: ['caller'],
    alsoOk: [404],
  },
  {
    method: 'post',
    path: '/calls/:callId/cancel-dial',
    url: () => '/calls/00000000-0000-4000-8000-000000000000/cancel-dial',
    allowed: ['caller'],
    alsoOk: [404],
  },
  { method: 'get', path: '/telephony/token', url: () => '/telephony/token', allowed: ['caller'] },
  // Twilio's webhooks: no user, but X-Twilio-Signature on every request (test/twilio.e2e-spec.ts).
  ...['voice', 'status', 'recording', 'notice', 'dial-action', 'parent-status'].map(
    (name): Route => ({
      method: 'post',
      path: `/telephony/twilio/${name}`,
      url: () => `/telephony/twilio/${name}`,
      allowed: 'public',
    }),
  ),
  {
    method: 'post',
    path: '/telephony/simulated/calls/:callId/events',
    url: () => '/telephony/simulated/calls/00000000-0000-4000-8000-000000000000/events',
    allowed: ['caller'],
    body: () => ({ event: 'ringing' }),
    alsoOk: [404],
  },
  {
    method: 'post',
    path: '/calls/:callId/outcome',
    url: () => '/calls/00000000-0000-4000-8000-000000000000/outcome',
    allowed: ['caller'],
    body: () => ({ disposition: 'no_answer' }),
    alsoOk: [404],
  },
  {
    method: 'post',
    path: '/calls/:callId/release',
    url: () => '/calls/00000000-0000-4000-8000-000000000000/release',
    allowed: ['caller'],
    alsoOk: [404],
  },
];

describe('access rules on every route', () => {
  let ctx: TestContext;
  let a: Ids;
  let b: Ids;
  let as: Record<Audience, string>; // a token for each audience, belonging to client A where it matters
  let ofB: { clientUser: TestUser; manager: TestUser; apiKey: string };

  beforeAll(async () => {
    ctx = await TestContext.create();
    const make = async (): Promise<Ids> => {
      const client = await ctx.newClient();
      const rep = await ctx
        .http()
        .post(`/clients/${client.id}/reps`)
        .auth(ctx.adminToken, { type: 'bearer' })
        .send({ name: 'Rep', email: 'rep@x.example' })
        .expect(201);
      const key = await ctx.newApiKey(client.id);
      const user = await ctx.newUser('caller');
      const { campaignId, callers } = await ctx.activeCampaign({ clientId: client.id });
      const imported = await ctx.importCsv(campaignId, 'phone\n(212) 736-5000\n');
      const [contact] = await sql<{ id: string }>(
        ctx.dbUrl,
        'SELECT id::text FROM contacts WHERE campaign_id = $1',
        [campaignId],
      );
      return {
        client: client.id,
        rep: rep.body.id,
        key: key.id,
        user: user.id,
        campaign: campaignId,
        importId: imported.id,
        contact: contact.id,
        caller: callers[0].id,
        callerToken: callers[0].token,
      };
    };
    a = await make();
    b = await make();
    const amA = await ctx.newUser('account_manager');
    const amB = await ctx.newUser('account_manager');
    await ctx.assignManagers(a.client, [amA.id]);
    await ctx.assignManagers(b.client, [amB.id]);
    a.manager = amA.id;
    b.manager = amB.id;
    as = {
      admin: ctx.adminToken,
      account_manager: amA.token,
      caller: a.callerToken!,
      client: (await ctx.newUser('client', a.client)).token,
      api_key: (await ctx.newApiKey(a.client)).key,
    };
    ofB = {
      clientUser: await ctx.newUser('client', b.client),
      manager: amB,
      apiKey: (await ctx.newApiKey(b.client)).key,
    };
  });
  afterAll(() => ctx.close());

  const send = (r: Route, ids: Ids, token?: string) => {
    let req = ctx.http()[r.method](r.url(ids));
    if (token) req = req.auth(token, { type: 'bearer' });
    if (r.csv !== undefined) return req.set('Content-Type', 'text/csv').send(r.csv);
    return r.body ? req.send(r.body(ids)) : req;
  };

  for (const r of ROUTES.filter((x) => x.allowed !== 'public')) {
    const label = `${r.method.toUpperCase()} ${r.path}`;
    it(`${label}: 401 without credentials, 403 for roles it is not for`, async () => {
      const res = await send(r, a);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      const denied = (
        ['admin', 'account_manager', 'caller', 'client', 'api_key'] as Audience[]
      ).filter((x) => !(r.allowed as Audience[]).includes(x));
      for (const audience of denied) {
        const forbidden = await send(r, a, as[audience]);
        expect([audience, forbidden.status]).toEqual([audience, 403]);
      }
      // Allowed audiences get through the guard (whatever the service then answers).
      for (const audience of r.allowed as Audience[]) {
        const ok = await send(r, a, as[audience]);
        const fine = ok.status < 400 || ok.status === 409 || (r.alsoOk ?? []).includes(ok.status);
        expect([audience, ok.status, fine]).toEqual([audience, ok.status, true]);
      }
    });
    if (r.tenant) {
      it(`${label}: another client's resource answers 404`, async () => {
        const foreign = [ofB.clientUser, ofB.manager].filter((u) =>
          (r.allowed as Audience[]).includes(u.role),
        );
        expect(foreign.length).toBeGreaterThan(0);
        for (const { token } of foreign) {
          const res = await send(r, a, token);
          expect(res.status).toBe(404);
          expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
        }
        // Own client in the path, other client's rep or key in it: still 404.
        if (r.path.includes(':repId') || r.path.includes(':keyId')) {
          const mixed = await send(r, { ...b, client: a.client }, as.client);
          expect(mixed.status).toBe(404);
        }
      });
    }
  }

  it('takes no Twilio webhook without a valid signature, whoever is signed in', async () => {
    for (const name of ['voice', 'status', 'recording', 'notice', 'dial-action', 'parent-status']) {
      for (const token of [undefined, ctx.adminToken, as.caller]) {
        let req = ctx.http().post(`/telephony/twilio/${name}?callId=${a.campaign}`).type('form');
        if (token) req = req.auth(token, { type: 'bearer' });
        const res = await req.send('CallSid=CA1&SequenceNumber=0&CallStatus=ringing');
        expect([name, res.status]).toEqual([name, 403]);
      }
    }
  });

  it('lets nobody but API keys call /v1, and an API key nothing else', async () => {
    await ctx.http().get('/v1/me').auth(ctx.adminToken, { type: 'bearer' }).expect(403);
    await ctx.http().get('/clients').auth(ofB.apiKey, { type: 'bearer' }).expect(403);
    const me = await ctx.http().get('/v1/me').auth(ofB.apiKey, { type: 'bearer' }).expect(200);
    expect(me.body.id).toBe(b.client);
  });

  it('has a rule on every route, and every route is in the table above', () => {
    const seen: string[] = [];
    for (const mod of ctx.app.get(ModulesContainer).values()) {
      for (const wrapper of mod.controllers.values()) {
        const cls = wrapper.metatype as new (...args: unknown[]) => object;
        const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
        for (const name of Object.getOwnPropertyNames(cls.prototype)) {
          const handler = (cls.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
          if (path === undefined) continue;
          const method =
            RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase();
          const full = ('/' + [base, path].filter((s) => s && s !== '/').join('/')).replace(
            /\/+/g,
            '/',
          );
          const rule =
            (Reflect.getMetadata(ACCESS_KEY, handler) as AccessRule | undefined) ??
            (Reflect.getMetadata(ACCESS_KEY, cls) as AccessRule | undefined);
          expect([`${method} ${full}`, rule !== undefined]).toEqual([`${method} ${full}`, true]);
          seen.push(`${method} ${full}`);
        }
      }
    }
    expect(seen.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });
});
