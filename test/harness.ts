import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../src/app.factory';
import type { Role } from '../src/auth/roles';
import { Clock } from '../src/common/clock';
import { createLogger } from '../src/common/logger';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { createMigratedDatabase } from './pg-server';

export const ADMIN = { email: 'admin@test.example', password: 'admin-password-1' };

/** A clock tests move by hand. */
export class FakeClock extends Clock {
  private t = Date.parse('2026-03-02T15:00:00Z');
  override now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

export interface ImportReport {
  id: string;
  status: 'running' | 'completed' | 'failed';
  received: number;
  imported: number;
  duplicates: number;
  invalid: number;
  dnc: number;
  errors: { line: number; reason: string }[];
  failureReason: string | null;
  bytesTotal: number;
  bytesRead: number;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
  clientId: string | null;
  token: string;
}

/**
 * The real service on its own cloned database, driven over HTTP. Factories go through the API,
 * as a person or a client's system would.
 */
export class TestContext {
  private seq = 0;

  private constructor(
    public app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly clock: FakeClock,
    readonly dbUrl: string,
    private readonly dropDb: () => Promise<void>,
    readonly adminToken: string,
  ) {}

  static async create(
    overrides: Partial<AppConfig> = {},
    options: { twilioHttpClient?: unknown } = {},
  ): Promise<TestContext> {
    const db = await createMigratedDatabase();
    const config: AppConfig = {
      ...loadConfig({}),
      databaseUrl: db.url,
      jwtSecret: 'test-secret-that-is-long-enough-0123456789',
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      logLevel: 'silent',
      // Tests end calls at the cap by calling CapEnforcer.sweep() with the fake clock.
      capSweepSeconds: 0,
      jobMaintenance: false,
      ...overrides,
    };
    const clock = new FakeClock();
    const app = await createApp(config, {
      clock,
      logger: createLogger('silent'),
      twilioHttpClient: options.twilioHttpClient,
    });
    const res = await request(app.getHttpServer()).post('/auth/login').send(ADMIN).expect(200);
    return new TestContext(app, config, clock, db.url, db.drop, res.body.accessToken as string);
  }

  /**
   * Stops the service and starts a new one on the same database (as after a crash or a deploy),
   * with some settings changed.
   */
  async restart(overrides: Partial<AppConfig> = {}): Promise<void> {
    await this.app.close();
    Object.assign(this.config, overrides);
    this.app = await createApp(this.config, { clock: this.clock, logger: createLogger('silent') });
  }

  http() {
    return request(this.app.getHttpServer());
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.dropDb();
  }

  unique(label: string): string {
    this.seq += 1;
    return `${label}-${this.seq}-${Math.random().toString(36).slice(2, 7)}`;
  }

  async login(email: string, password: string): Promise<string> {
    const res = await this.http().post('/auth/login').send({ email, password }).expect(200);
    return res.body.accessToken as string;
  }

  async newClient(
    name = this.unique('Client'),
    timezone?: string,
  ): Promise<{ id: string; name: string }> {
    const res = await this.http()
      .post('/clients')
      .auth(this.adminToken, { type: 'bearer' })
      .send({ name, ...(timezone ? { timezone } : {}) })
      .expect(201);
    return res.body;
  }

  /** A user created by the admin, signed in once (unless `signIn: false`, then `token` is ''). */
  async newUser(
    role: Role,
    clientId?: string,
    options: { signIn?: boolean } = {},
  ): Promise<TestUser> {
    const email = `${this.unique(role)}@test.example`.toLowerCase();
    const password = 'password-' + Math.random().toString(36).slice(2);
    const res = await this.http()
      .post('/users')
      .auth(this.adminToken, { type: 'bearer' })
      .send({ email, password, role, ...(clientId ? { clientId } : {}) })
      .expect(201);
    const token = options.signIn === false ? '' : await this.login(email, password);
    return { id: res.body.id, email, password, role, clientId: clientId ?? null, token };
  }

  async assignManagers(clientId: string, userIds: string[]): Promise<void> {
    await this.http()
      .put(`/clients/${clientId}/managers`)
      .auth(this.adminToken, { type: 'bearer' })
      .send({ userIds })
      .expect(200);
  }

  async newCampaign(
    clientId: string,
    fields: Record<string, unknown> = {},
  ): Promise<{ id: string; name: string }> {
    const res = await this.http()
      .post('/campaigns')
      .auth(this.adminToken, { type: 'bearer' })
      .send({ clientId, name: this.unique('Campaign'), ...fields })
      .expect(201);
    return res.body;
  }

  /** A client, an active campaign of it with the given callers (new ones if none given), ready to claim from. */
  async activeCampaign(
    opts: {
      callers?: TestUser[];
      callerCount?: number;
      fields?: Record<string, unknown>;
      clientId?: string;
    } = {},
  ): Promise<{ clientId: string; campaignId: string; callers: TestUser[] }> {
    const clientId = opts.clientId ?? (await this.newClient('Acme Solar')).id;
    const client = await this.http()
      .get(`/clients/${clientId}`)
      .auth(this.adminToken, { type: 'bearer' })
      .expect(200);
    const campaign = await this.newCampaign(clientId, {
      script: `Hello, I am calling on behalf of ${client.body.name}.`,
      callerId: '+12125550100',
      ...(opts.fields ?? {}),
    });
    const callers =
      opts.callers ??
      (await Promise.all(
        Array.from({ length: opts.callerCount ?? 1 }, () => this.newUser('caller')),
      ));
    await this.http()
      .put(`/campaigns/${campaign.id}/callers`)
      .auth(this.adminToken, { type: 'bearer' })
      .send({ callerIds: callers.map((c) => c.id) })
      .expect(200);
    await this.http()
      .patch(`/campaigns/${campaign.id}`)
      .auth(this.adminToken, { type: 'bearer' })
      .send({ status: 'active' })
      .expect(200);
    return { clientId, campaignId: campaign.id, callers };
  }

  /** Uploads a CSV and waits for its import to finish; answers the final report. */
  async importCsv(campaignId: string, csv: string | Buffer): Promise<ImportReport> {
    const started = await this.http()
      .post(`/campaigns/${campaignId}/imports`)
      .auth(this.adminToken, { type: 'bearer' })
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(202);
    return this.waitForImport(campaignId, started.body.id as string);
  }

  async waitForImport(campaignId: string, importId: string): Promise<ImportReport> {
    for (;;) {
      const res = await this.http()
        .get(`/campaigns/${campaignId}/imports/${importId}`)
        .auth(this.adminToken, { type: 'bearer' })
        .expect(200);
      if (res.body.status !== 'running') return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async newApiKey(clientId: string): Promise<{ id: string; key: string; prefix: string }> {
    const res = await this.http()
      .post(`/clients/${clientId}/api-keys`)
      .auth(this.adminToken, { type: 'bearer' })
      .send({ name: 'test key' })
      .expect(201);
    return res.body;
  }
}
