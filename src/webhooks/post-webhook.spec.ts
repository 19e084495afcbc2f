import type { LookupAddress } from 'node:dns';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedLookup, postWebhook } from './post-webhook';
import { verifyWebhook } from './signing';
import { webhookUrlProblem, type ResolveHost } from './url-policy';

const SECRET = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
const PUBLIC = '93.184.216.34';

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that records each request and answers what `answer` says. */
async function receiver(answer: (res: ServerResponse) => void) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    got,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A DNS that gives each query of the name the next answer in turn (the last one repeats). */
function dns(...answers: string[][]): ResolveHost & { queries: number } {
  const resolve = async (host: string): Promise<LookupAddress[]> => {
    const i = Math.min(resolve.queries++, answers.length - 1);
    if (host !== 'hooks.example.com') throw new Error(`unexpected lookup of ${host}`);
    return answers[i].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  resolve.queries = 0;
  return resolve;
}

const delivery = (port: number, path = '/hooks') => ({
  url: `http://hooks.example.com:${port}${path}`,
  id: 'd0c1a7e2-0000-4000-8000-000000000001',
  secret: SECRET,
  body: JSON.stringify({ type: 'referral.published', data: { id: 'r1', name: 'Zoë' } }),
});

describe('postWebhook', () => {
  let r: Awaited<ReturnType<typeof receiver>>;
  afterEach(() => r?.close());

  it('refuses to connect when the host resolves to a private address, and sends nothing', async () => {
    r = await receiver((res) => res.end());
    const answer = await postWebhook(delivery(r.port), {
      timeoutSeconds: 5,
      allowPrivate: false,
      resolve: dns(['127.0.0.1']),
    });
    expect(answer).toEqual({
      statusCode: null,
      error: 'the URL points at 127.0.0.1, a loopback address',
    });
    expect(r.got).toEqual([]);
  });

  it('delivers to a private address when allowed: POST, Standard Webhooks headers, the body', async () => {
    r = await receiver((res) => {
      res.statusCode = 204;
      res.end();
    });
    const d = delivery(r.port);
    const before = Math.floor(Date.now() / 1000);
    const answer = await postWebhook(d, {
      timeoutSeconds: 5,
      allowPrivate: true,
      resolve: dns(['127.0.0.1']),
    });
    expect(answer).toEqual({ statusCode: 204, error: null });
    expect(r.got).toHaveLength(1);
    const [got] = r.got;
    expect(got).toMatchObject({ method: 'POST', url: '/hooks', body: d.body });
    expect(got.headers).toMatchObject({
      host: `hooks.example.com:${r.port}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(d.body)),
      'user-agent': 'referral-desk-webhooks/1',
      'webhook-id': d.id,
    });
    const timestamp = Number(got.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const signature = String(got.headers['webhook-signature']);
    expect(
      verifyWebhook(SECRET, { id: d.id, timestamp: String(timestamp), signature }, d.body),
    ).toBe(true);
  });

  it('checks the addresses it connects to: a DNS that answers public to the check, then loopback, gets nothing', async () => {
    r = await receiver((res) => res.end());
    const d = delivery(r.port);
    const rebinding = dns([PUBLIC], ['127.0.0.1']);
    // The pre-check sees the public answer and lets the URL through...
    expect(await webhookUrlProblem(d.url, false, rebinding)).toBeNull();
    // ...the connect resolves again, gets loopback, and is refused.
    const answer = await postWebhook(d, {
      timeoutSeconds: 5,
      allowPrivate: false,
      resolve: rebinding,
    });
    expect(answer.error).toBe('the URL points at 127.0.0.1, a loopback address');
    expect(rebinding.queries).toBe(2);
    expect(r.got).toEqual([]);
  });

  it('refuses when any one of the addresses is private, even after a public one', async () => {
    r = await receiver((res) => res.end());
    const answer = await postWebhook(delivery(r.port), {
      timeoutSeconds: 5,
      allowPrivate: false,
      resolve: dns([PUBLIC, '127.0.0.1']),
    });
    expect(answer.error).toBe('the URL points at 127.0.0.1, a loopback address');
    expect(r.got).toEqual([]);
  });

  it('refuses a private IP literal without looking anything up', async () => {
    r = await receiver((res) => res.end());
    for (const [host, why] of [
      ['127.0.0.1', '127.0.0.1, a loopback address'],
      ['2130706433', '127.0.0.1, a loopback address'],
      ['0x7f.1', '127.0.0.1, a loopback address'],
      [
        '[::ffff:127.0.0.1]',
        '::ffff:7f00:1, an IPv4-mapped address carrying 127.0.0.1, a loopback address',
      ],
      ['169.254.169.254', '169.254.169.254, a link-local address'],
    ]) {
      const resolve = dns([PUBLIC]);
      const answer = await postWebhook(
        { ...delivery(r.port), url: `http://${host}:${r.port}/hooks` },
        { timeoutSeconds: 5, allowPrivate: false, resolve },
      );
      expect([host, answer.error]).toEqual([host, `the URL points at ${why}`]);
      expect(resolve.queries).toBe(0);
    }
    expect(r.got).toEqual([]);
  });

  it('gives up on a receiver that never answers after the timeout', async () => {
    r = await receiver(() => undefined);
    const answer = await postWebhook(delivery(r.port), {
      timeoutSeconds: 0.2,
      allowPrivate: true,
      resolve: dns(['127.0.0.1']),
    });
    expect(answer).toEqual({ statusCode: null, error: 'no answer within 0.2 s' });
    expect(r.got).toHaveLength(1);
  });

  it('returns a redirect as its status and does not follow it', async () => {
    r = await receiver((res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${r.port}/elsewhere` });
      res.end('moved');
    });
    const answer = await postWebhook(delivery(r.port), {
      timeoutSeconds: 5,
      allowPrivate: true,
      resolve: dns(['127.0.0.1']),
    });
    expect(answer).toEqual({ statusCode: 302, error: null });
    // Give a follow-up request, were there one, the time to arrive.
    await new Promise((res) => setTimeout(res, 100));
    expect(r.got.map((g) => g.url)).toEqual(['/hooks']);
  });

  it('says why it could not connect', async () => {
    r = await receiver((res) => res.end());
    const port = r.port;
    await r.close();
    const answer = await postWebhook(delivery(port), {
      timeoutSeconds: 5,
      allowPrivate: true,
      resolve: dns(['127.0.0.1']),
    });
    expect(answer.error).toMatch(/^could not connect: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});

describe('guardedLookup', () => {
  const call = (lookup: ReturnType<typeof guardedLookup>, all: boolean, family = 0) =>
    new Promise<{ err: Error | null; address: unknown; family?: number }>((done) =>
      lookup('hooks.example.com', { all, family }, (err, address, fam) =>
        done({ err, address, family: fam }),
      ),
    );

  it('answers in both shapes Node asks for: all addresses, or one address and its family', async () => {
    const lookup = guardedLookup(dns([PUBLIC, '2606:2800:220:1::1']), false);
    expect(await call(lookup, true)).toEqual({
      err: null,
      address: [
        { address: PUBLIC, family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ],
      family: undefined,
    });
    expect(await call(lookup, false)).toEqual({ err: null, address: PUBLIC, family: 4 });
    expect(await call(lookup, false, 6)).toEqual({
      err: null,
      address: '2606:2800:220:1::1',
      family: 6,
    });
  });

  it('fails either shape when any address is private, whatever family was asked for', async () => {
    const lookup = guardedLookup(dns([PUBLIC, 'fe80::1']), false);
    for (const [all, family] of [
      [true, 0],
      [false, 0],
      [false, 4],
    ] as const) {
      const { err } = await call(lookup, all, family);
      expect(err?.message).toBe('hooks.example.com points at fe80::1, a link-local address');
    }
  });

  it('refuses, at the connect, every special-purpose address and IPv4-carrying form a name resolves to', async () => {
    for (const [address, why] of [
      ['192.0.0.170', 'a reserved, documentation or benchmarking address'],
      ['192.0.2.2', 'a reserved, documentation or benchmarking address'],
      ['198.18.0.1', 'a reserved, documentation or benchmarking address'],
      ['198.51.100.7', 'a reserved, documentation or benchmarking address'],
      ['203.0.113.9', 'a reserved, documentation or benchmarking address'],
      ['240.0.0.1', 'a reserved, documentation or benchmarking address'],
      ['255.255.255.255', 'the broadcast address'],
      ['::7f00:1', 'an IPv4-compatible address carrying 127.0.0.1, a loopback address'],
      ['64:ff9b::7f00:1', 'a NAT64 address carrying 127.0.0.1, a loopback address'],
      ['64:ff9b:1::a00:1', 'a local-use NAT64 address'],
      ['2002:7f00:1::1', 'a 6to4 address carrying 127.0.0.1, a loopback address'],
      ['fec0::1', 'a site-local address'],
      ['2001:db8::1', 'a reserved, documentation or benchmarking address'],
    ]) {
      const lookup = guardedLookup(dns([address]), false);
      for (const all of [true, false]) {
        const { err, address: given } = await call(lookup, all);
        expect([address, err?.message, given]).toEqual([
          address,
          `hooks.example.com points at ${address}, ${why}`,
          [],
        ]);
      }
    }
  });

  it("refuses, at the connect, a name that resolves to one of the host's own addresses", async () => {
    const interfaces = () => ({
      eth0: [
        {
          address: PUBLIC,
          netmask: '255.255.255.0',
          family: 'IPv4' as const,
          mac: '02:00:00:00:00:01',
          internal: false,
          cidr: `${PUBLIC}/24`,
        },
      ],
    });
    const { err } = await call(guardedLookup(dns([PUBLIC]), false, interfaces), true);
    expect(err?.message).toBe(`hooks.example.com points at ${PUBLIC}, an address of this host`);
    // The same answer on another host is a public address.
    expect(
      (
        await call(
          guardedLookup(dns([PUBLIC]), false, () => ({})),
          true,
        )
      ).err,
    ).toBeNull();
  });
});
