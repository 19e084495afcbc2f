import 'reflect-metadata';
import { createApp } from '../src/app.factory';
import type { Principal } from '../src/auth/roles';
import { UsersService } from '../src/auth/users.service';
import { ClientsService } from '../src/clients/clients.service';
import { createLogger } from '../src/common/logger';
import { loadConfig } from '../src/config/app-config';
import { prepareEnvironment } from '../src/main';

/**
 * `npm run seed:demo`: a believable demo, created through the service's own code (the same
 * checks as the API). Safe to run twice: what exists is left alone.
 */
export const DEMO_PASSWORD = 'demo-password-2026';
const CLIENT = { name: 'Northwind Solar', timezone: 'America/Chicago' };
const REPS = [
  {
    name: 'Maria Lopez',
    email: 'maria.lopez@northwind-solar.example',
    specialties: ['commercial solar', 'battery storage'],
    territories: ['TX', 'OK'],
  },
  {
    name: 'James Carter',
    email: 'james.carter@northwind-solar.example',
    specialties: ['residential solar', 'financing'],
    territories: ['LA', 'AR', '770'],
  },
  {
    name: 'Priya Natarajan',
    email: 'priya.natarajan@northwind-solar.example',
    specialties: ['commercial solar', 'EV charging'],
    territories: ['NM', 'AZ'],
  },
];
const STAFF = [
  { email: 'am@demo.example', role: 'account_manager' as const, name: 'Alex Morgan' },
  { email: 'caller1@demo.example', role: 'caller' as const, name: 'Casey Rivera' },
  { email: 'caller2@demo.example', role: 'caller' as const, name: 'Jordan Lee' },
];

async function main(): Promise<void> {
  const log = (m: string) => process.stderr.write(m + '\n');
  const { config, embedded } = await prepareEnvironment(loadConfig(process.env), log);
  const app = await createApp({ ...config, logLevel: 'warn' }, { logger: createLogger('warn') });
  try {
    const users = app.get(UsersService);
    const clients = app.get(ClientsService);
    const admin: Principal = {
      kind: 'user',
      userId: '',
      role: 'admin',
      clientId: null,
      email: 'seed',
    };

    const existing = await users.list({});
    const byEmail = new Map(existing.map((u) => [u.email, u]));
    const staff = [];
    for (const s of STAFF) {
      staff.push(byEmail.get(s.email) ?? (await users.create({ ...s, password: DEMO_PASSWORD })));
    }

    let client = (await clients.list(admin)).find((c) => c.name === CLIENT.name);
    if (!client) {
      client = await clients.create(admin, CLIENT);
      for (const rep of REPS) await clients.createRep(admin, client.id, rep);
      await clients.setManagers(admin, client.id, [staff[0].id]);
    }
    const clientUserEmail = 'sales@northwind-solar.example';
    if (!byEmail.has(clientUserEmail)) {
      await users.create({
        email: clientUserEmail,
        password: DEMO_PASSWORD,
        role: 'client',
        clientId: client.id,
        name: 'Northwind Sales',
      });
    }
    log(
      [
        `Demo ready: client "${CLIENT.name}" with ${REPS.length} reps, managed by ${STAFF[0].email}.`,
        `Sign in with any of these, password "${DEMO_PASSWORD}":`,
        ...[...STAFF.map((s) => `  ${s.email} (${s.role})`), `  ${clientUserEmail} (client)`],
      ].join('\n'),
    );
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`seed:demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
