import 'reflect-metadata';
import { createApp } from '../src/app.factory';
import type { Principal } from '../src/auth/roles';
import { UsersService } from '../src/auth/users.service';
import { Readable } from 'node:stream';
import { CampaignsService } from '../src/campaigns/campaigns.service';
import { ImportsService } from '../src/campaigns/imports.service';
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
    // The seed acts as the first admin, so that what it creates is attributed to a real account.
    const [firstAdmin] = await users.list({ role: 'admin' });
    const admin: Principal = {
      kind: 'user',
      userId: firstAdmin.id,
      role: 'admin',
      clientId: null,
      email: firstAdmin.email,
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
      await seedCampaign(app.get(CampaignsService), app.get(ImportsService), admin, client.id, [
        staff[1].id,
        staff[2].id,
      ]);
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
        `Demo ready: client "${CLIENT.name}" with ${REPS.length} reps, managed by ${STAFF[0].email},`,
        'and an active campaign with 200 contacts worked by both callers.',
        `Sign in with any of these, password "${DEMO_PASSWORD}":`,
        ...[...STAFF.map((s) => `  ${s.email} (${s.role})`), `  ${clientUserEmail} (client)`],
      ].join('\n'),
    );
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

const COMPANIES = [
  'Lone Star Logistics',
  'Red River Cold Storage',
  'Bayou Fabrication',
  'Mesa Dental Group',
  'Permian Tool & Die',
  'Gulf Coast Printing',
  'Sooner Feed Supply',
  'Desert Sky Hotels',
  'Magnolia Bakery Co',
  'Ozark Auto Body',
];
const FIRST = [
  'Maria',
  'James',
  'Linda',
  'Robert',
  'Patricia',
  'Michael',
  'Jennifer',
  'David',
  'Elizabeth',
  'Carlos',
];
const LAST = [
  'Garcia',
  'Johnson',
  'Nguyen',
  'Smith',
  'Martinez',
  'Brown',
  'Davis',
  'Lopez',
  'Wilson',
  'Patel',
];
const TITLES = ['Owner', 'Operations Manager', 'Facilities Director', 'CFO', 'General Manager'];
const PLACES = [
  { area: 214, city: 'Dallas', state: 'TX' },
  { area: 405, city: 'Oklahoma City', state: 'OK' },
  { area: 504, city: 'New Orleans', state: 'LA' },
  { area: 505, city: 'Albuquerque', state: 'NM' },
  { area: 602, city: 'Phoenix', state: 'AZ' },
];

/** An active campaign with a script, two pitches, two offers, both callers and 200 contacts. */
async function seedCampaign(
  campaigns: CampaignsService,
  imports: ImportsService,
  admin: Principal,
  clientId: string,
  callerIds: string[],
): Promise<void> {
  const campaign = await campaigns.create(admin, {
    clientId,
    name: 'Rooftop solar for businesses',
    product: 'Commercial rooftop solar',
    script: [
      '## Opening',
      'Hi {first name}, this is {your name} calling on behalf of **Northwind Solar**. We help businesses like {company} cut their power bill with rooftop solar.',
      '',
      '## Qualify',
      '- Do you own the building or lease it?',
      '- Roughly what is your monthly electricity bill?',
      '- Who decides on an investment like this?',
      '',
      '## Close',
      'Would a short call with one of our engineers this week make sense?',
    ].join('\n'),
    pitches: [
      {
        name: 'Savings first',
        text: 'Most businesses your size save 30–40% on power from the first month.',
      },
      {
        name: 'Price lock',
        text: 'Lock your electricity price for 25 years while utility rates keep rising.',
      },
    ],
    offers: [
      { name: '10% off first invoice', text: 'New customers get 10% off their first invoice.' },
      { name: 'Free site survey', text: 'A free engineering survey of your roof, no obligation.' },
    ],
    callerId: '+12145550100',
  });
  await campaigns.setCallers(admin, campaign.id, callerIds);
  await campaigns.update(admin, campaign.id, { status: 'active' });
  const rows = ['Company,First Name,Last Name,Title,Phone,City,State,Employees'];
  for (let i = 0; i < 200; i++) {
    const place = PLACES[i % PLACES.length];
    const phone = `(${place.area}) ${300 + (i % 600)}-${String(1000 + i * 37).slice(-4)}`;
    rows.push(
      `${COMPANIES[i % COMPANIES.length]} ${Math.floor(i / COMPANIES.length) + 1},${FIRST[i % FIRST.length]},${LAST[(i * 3) % LAST.length]},${TITLES[i % TITLES.length]},${phone},${place.city},${place.state},${10 + ((i * 13) % 240)}`,
    );
  }
  const { id } = await imports.start(
    admin,
    campaign.id,
    Readable.from([rows.join('\n') + '\n']),
    'demo-contacts.csv',
  );
  await imports.settled(id);
  const report = await imports.get(admin, campaign.id, id);
  if (report.status !== 'completed')
    throw new Error(`demo import ${report.status}: ${report.failureReason}`);
  process.stderr.write(`Demo contacts: ${report.imported} imported of ${report.received}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `seed:demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  process.exit(1);
});
