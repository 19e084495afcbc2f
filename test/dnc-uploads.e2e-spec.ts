import { readdir } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { sql } from './pg-server';
import { TestContext, type TestUser } from './harness';

/** More stalled uploads than the pool has connections (10). */
const STALLED = 12;

/**
 * H1, do-not-call imports: an upload is read to the end into a spool file before a connection is
 * taken or a transaction opened, so senders that stall mid-file hold no database connection.
 */
describe('do-not-call uploads that stall', () => {
  let ctx: TestContext;
  let port: number;
  let am: TestUser;
  let clientId: string;

  beforeAll(async () => {
    ctx = await TestContext.create();
    await ctx.app.listen(0, '127.0.0.1');
    port = (ctx.app.getHttpServer().address() as AddressInfo).port;
    clientId = (await ctx.newClient()).id;
    am = await ctx.newUser('account_manager');
    await ctx.assignManagers(clientId, [am.id]);
  });
  afterAll(() => ctx.close());

  /** This service's sessions that hold a transaction open (an upload's, were it not spooled). */
  const inTransaction = async () =>
    (
      await sql<{ n: number }>(
        ctx.dbUrl,
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND state IN ('idle in transaction', 'idle in transaction (aborted)')`,
      )
    )[0].n;

  const spools = async () =>
    (await readdir(tmpdir())).filter((name) => name.startsWith('rd-dnc-')).length;

  it('keeps /health and sign-in answering while more uploads than the pool stall mid-file, then lists each once it is complete', async () => {
    const before = await spools();
    const uploads = Array.from({ length: STALLED }, (_, i) => {
      const head = `phone\n(646) 555-${String(100 + i).padStart(4, '0')}\n`;
      const rest = `(646) 555-${String(200 + i).padStart(4, '0')}\n`;
      return stall(port, `/dnc/imports?clientId=${clientId}`, am.token, head, rest);
    });
    await Promise.all(uploads.map((u) => u.sent));
    // Time for the service to take them up (it had held a connection each, in a transaction).
    await new Promise((r) => setTimeout(r, 300));

    for (let round = 0; round < 2; round++) {
      const health = await ctx.http().get('/health').timeout(2000);
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', database: 'up' });
      const login = await ctx
        .http()
        .post('/auth/login')
        .send({ email: am.email, password: am.password })
        .timeout(2000);
      expect(login.status).toBe(200);
      const lookup = await ctx
        .http()
        .get('/dnc/6465550100')
        .auth(am.token, { type: 'bearer' })
        .timeout(2000);
      expect(lookup.body).toMatchObject({ listed: false });
    }
    // Every one of them is being read into a spool file, none answered, none in a transaction.
    await waitFor(async () => (await spools()) - before >= STALLED, 5000);
    expect(uploads.filter((u) => u.answered())).toEqual([]);
    expect(await inTransaction()).toBe(0);

    // The senders go on: each upload is listed whole, and its spool file is gone.
    const answers = await Promise.all(uploads.map((u) => u.finish()));
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toMatchObject({ received: 2, added: 2, invalid: 0 });
    }
    const [{ n }] = await sql<{ n: number }>(
      ctx.dbUrl,
      `SELECT count(*)::int AS n FROM dnc_numbers WHERE client_id = $1 AND phone LIKE '+1646555%'`,
      [clientId],
    );
    expect(n).toBe(2 * STALLED);
    await waitFor(async () => (await spools()) <= before, 2000);
  });

  it('removes the spool file of an upload whose sender goes away, and lists nothing of it', async () => {
    const before = await spools();
    const upload = stall(
      port,
      `/dnc/imports?clientId=${clientId}`,
      am.token,
      'phone\n(917) 555-0100\n',
      '(917) 555-0101\n',
    );
    await upload.sent;
    await waitFor(async () => (await spools()) > before, 5000);
    upload.socket.destroy();
    await waitFor(async () => (await spools()) <= before, 5000);
    const rows = await sql(ctx.dbUrl, `SELECT 1 FROM dnc_numbers WHERE phone LIKE '+1917555%'`);
    expect(rows).toEqual([]);
  });
});

/**
 * A real socket that sends a request's headers (announcing the whole body's length) and the
 * first part of the body, then pauses; `finish` sends the rest and reads the answer.
 */
function stall(port: number, path: string, token: string, head: string, rest: string) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  const length = Buffer.byteLength(head) + Buffer.byteLength(rest);
  const sent = new Promise<void>((resolve) =>
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: text/csv\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n${head}`,
      () => resolve(),
    ),
  );
  return {
    socket,
    sent,
    answered: () => received.length > 0,
    async finish(): Promise<{ status: number; body: string }> {
      socket.write(rest);
      await closed;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
      const [, body = ''] = received.split('\r\n\r\n');
      return { status, body };
    },
  };
}

async function waitFor(done: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
