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
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly clock: FakeClock,
    readonly dbUrl: string,
    private readonly dropDb: () => Promise<void>,
    readonly adminToken: string,
  ) {}

  static async create(overrides: Partial<AppConfig> = {}): Promise<TestContext> {
    const db = await createMigratedDatabase();
    const config: AppConfig = {
      ...loadConfig({}),
      databaseUrl: db.url,
      jwtSecret: 'test-secret-that-is-long-enough-0123456789',
      adminEmail: ADMIN.email,
      adminPassword: ADMIN.password,
      logLevel: 'silent',
      ...overrides,
    };
    const clock = new FakeClock();
    const app = await createApp(config, { clock, logger: createLogger('silent') });
    const res = await request(app.getHttpServer()).post('/auth/login').send(ADMIN).expect(200);
    return new TestContext(app, config, clock, db.url, db.drop, res.body.accessToken as string);
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

  async newUser(role: Role, clientId?: string): Promise<TestUser> {
    const email = `${this.unique(role)}@test.example`.toLowerCase();
    const password = 'password-' + Math.random().toString(36).slice(2);
    const res = await this.http()
      .post('/users')
      .auth(this.adminToken, { type: 'bearer' })
      .send({ email, password, role, ...(clientId ? { clientId } : {}) })
      .expect(201);
    const token = await this.login(email, password);
    return { id: res.body.id, email, password, role, clientId: clientId ?? null, token };
  }

  async assignManagers(clientId: string, userIds: string[]): Promise<void> {
    await this.http()
      .put(`/clients/${clientId}/managers`)
      .auth(this.adminToken, { type: 'bearer' })
      .send({ userIds })
      .expect(200);
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
