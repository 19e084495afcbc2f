import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { TestContext } from './harness';

/**
 * The security headers of every answer, read from the service (no test here reaches Twilio, so
 * the console's policy is checked against the hosts the installed Voice SDK's own code uses),
 * and no source maps, neither built nor served.
 */

const ROOT = join(__dirname, '..');
const ORIGIN = 'http://127.0.0.1:3000';

type Policy = Map<string, string[]>;

function parseCsp(header: string | undefined): Policy {
  expect(header).toBeDefined();
  const policy: Policy = new Map();
  for (const part of header!.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy.set(name.toLowerCase(), sources);
  }
  return policy;
}

/** The sources that govern a fetch directive (falling back to default-src). */
function sourcesFor(policy: Policy, directive: string): string[] {
  return policy.get(directive) ?? policy.get('default-src') ?? [];
}

/**
 * Whether a source list lets the page (at ORIGIN) load `url`: CSP Level 3's matching of
 * 'self', scheme sources (`blob:`) and host sources (`wss://*.twilio.com`), enough for these.
 */
function allows(sources: string[], url: string): boolean {
  const u = new URL(url);
  const page = new URL(ORIGIN);
  return sources.some((s) => {
    if (s === "'self'") {
      return u.origin === page.origin || (u.protocol === 'ws:' && u.host === page.host);
    }
    if (s.startsWith("'")) return false;
    if (/^[a-z][a-z0-9+.-]*:$/i.test(s)) return u.protocol === s.toLowerCase();
    const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([^/:]+)(?::(\d+|\*))?(\/.*)?$/i.exec(s);
    if (!m) return false;
    const [, scheme, wildcard, host, port, path] = m;
    if (scheme && u.protocol !== `${scheme.toLowerCase()}:`) return false;
    const h = u.hostname.toLowerCase();
    if (wildcard ? !h.endsWith(`.${host.toLowerCase()}`) : h !== host.toLowerCase()) return false;
    if (port && port !== '*' && u.port !== port) return false;
    if (path && !(path.endsWith('/') ? u.pathname.startsWith(path) : u.pathname === path))
      return false;
    return true;
  });
}

/** The values of a TypeScript string enum in the Voice SDK's source (`export enum Edge {…}`). */
function sdkEnum(file: string, name: string): string[] {
  const text = readFileSync(join(sdkLib, file), 'utf8');
  const body = new RegExp(`export enum ${name} \\{([^}]*)\\}`).exec(text)?.[1];
  expect(body).toBeDefined();
  return [...body!.matchAll(/=\s*'([^']+)'/g)].map((m) => m[1]);
}

const sdkLib = join(dirname(require.resolve('@twilio/voice-sdk')), '..', 'lib', 'twilio');

describe('security headers', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await TestContext.create();
  });
  afterAll(() => ctx.close());

  const EVERY = ['/console', '/manage', '/portal', '/docs', '/health', '/clients', '/nowhere'];

  it('every answer, pages and API, errors and 404s: no framing, no sniffing, no referrer', async () => {
    for (const path of EVERY) {
      const res = await ctx.http().get(path);
      expect({ path, xfo: res.headers['x-frame-options'] }).toEqual({ path, xfo: 'DENY' });
      expect(parseCsp(res.headers['content-security-policy']).get('frame-ancestors')).toEqual([
        "'none'",
      ]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      // Over plain http no HSTS (a browser ignores it there, and it would pin a dev machine).
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('the API loads, frames and submits nothing', async () => {
    for (const path of ['/health', '/clients', '/nowhere', '/docs-json']) {
      const csp = parseCsp((await ctx.http().get(path)).headers['content-security-policy']);
      expect(csp.get('default-src')).toEqual(["'none'"]);
      expect(csp.get('form-action')).toEqual(["'none'"]);
    }
  });

  it('the pages run only the scripts and styles the service serves: nothing inline, no eval', async () => {
    for (const path of ['/console', '/manage', '/portal']) {
      const csp = parseCsp((await ctx.http().get(path)).headers['content-security-policy']);
      expect({ path, script: csp.get('script-src') }).toEqual({ path, script: ["'self'"] });
      expect(csp.get('script-src-attr')).toEqual(["'none'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
      // The pages' own scripts, styles, API and the Voice SDK the service hands out.
      for (const [directive, url] of [
        ['script-src', `${ORIGIN}/js/manage.js`],
        ['script-src', `${ORIGIN}/app/assets/console-abc.js`],
        ['script-src', `${ORIGIN}/vendor/twilio.min.js`],
        ['style-src', `${ORIGIN}/assets/app.css`],
        ['connect-src', `${ORIGIN}/calls/next`],
        ['img-src', 'data:,'],
      ]) {
        expect({ path, directive, url, ok: allows(sourcesFor(csp, directive), url) }).toEqual({
          path,
          directive,
          url,
          ok: true,
        });
      }
      for (const [directive, url] of [
        ['script-src', 'https://sdk.twilio.com/js/twilio.min.js'],
        ['script-src', 'https://cdn.example.com/x.js'],
        ['connect-src', 'https://attacker.example/collect'],
        ['img-src', 'https://attacker.example/pixel.gif'],
        ['frame-src', 'https://attacker.example/'],
      ]) {
        expect({ path, directive, url, ok: allows(sourcesFor(csp, directive), url) }).toEqual({
          path,
          directive,
          url,
          ok: false,
        });
      }
    }
  });

  it("the console's policy lets the Twilio Voice SDK signal, report and play, as its code does", async () => {
    const csp = parseCsp((await ctx.http().get('/console')).headers['content-security-policy']);
    const connect = sourcesFor(csp, 'connect-src');
    const media = sourcesFor(csp, 'media-src');

    // Signalling: `wss://voice-js.<edge>.twilio.com/signal` for every edge the SDK knows
    // (regions.ts: createChunderEdgeURI, createSignalingEndpointURL), and the 1.x host.
    const regions = readFileSync(join(sdkLib, 'regions.ts'), 'utf8');
    expect(regions).toContain('`voice-js.${edge}.twilio.com`');
    expect(regions).toContain('`wss://${uri}/signal`');
    const edges = sdkEnum('regions.ts', 'Edge');
    expect(edges).toEqual(expect.arrayContaining(['roaming', 'ashburn', 'sydney']));
    for (const edge of edges) {
      expect(allows(connect, `wss://voice-js.${edge}.twilio.com/signal`)).toBe(true);
    }
    expect(allows(connect, 'wss://chunderw-vpc-gll.twilio.com/signal')).toBe(true);

    // Insights: `https://eventgw.twilio.com/v4/...`, or `eventgw.<region>.twilio.com` with a home
    // region (createEventGatewayURI; eventpublisher.ts posts to `https://${host}/v4/...`).
    expect(regions).toContain("'eventgw.twilio.com'");
    expect(regions).toContain('`eventgw.${region}.twilio.com`');
    expect(allows(connect, 'https://eventgw.twilio.com/v4/EndpointEvents')).toBe(true);
    for (const region of sdkEnum('regions.ts', 'Region')) {
      expect(allows(connect, `https://eventgw.${region}.twilio.com/v4/EndpointMetrics`)).toBe(true);
    }

    // Ringtones: fetched (AudioPlayer's XMLHttpRequest) and played from SOUNDS_BASE_URL.
    const constants = readFileSync(join(sdkLib, 'constants.ts'), 'utf8');
    const sounds = /SOUNDS_BASE_URL = '([^']+)'/.exec(constants)?.[1];
    expect(sounds).toMatch(/^https:\/\//);
    for (const file of ['incoming.mp3', 'outgoing.mp3', 'disconnect.mp3', 'dtmf-1.mp3']) {
      expect(allows(connect, `${sounds}/${file}`)).toBe(true);
      expect(allows(media, `${sounds}/${file}`)).toBe(true);
    }
    // The SDK's README asks for these too.
    expect(allows(connect, 'https://media.twiliocdn.com/sdk/js/x')).toBe(true);
    expect(allows(media, 'https://media.twiliocdn.com/sdk/js/x')).toBe(true);

    // The call's audio: `srcObject`, else a `blob:` URL of the stream (peerconnection.ts).
    expect(allows(media, 'blob:http://127.0.0.1:3000/2f6c4a61-0f5e-4a3b-9d4e-0d1a4e2b7c11')).toBe(
      true,
    );
    expect(allows(media, 'mediastream:http://127.0.0.1:3000/x')).toBe(true);

    // And nothing else: no other host, none that only looks like Twilio's.
    for (const url of [
      'https://attacker.example/x',
      'wss://attacker.example/signal',
      'wss://twilio.com.attacker.example/signal',
      'http://eventgw.twilio.com/v4/x',
      'ws://voice-js.roaming.twilio.com/signal',
    ]) {
      expect({ url, ok: allows(connect, url) }).toEqual({ url, ok: false });
    }
    expect(sourcesFor(csp, 'script-src')).toEqual(["'self'"]);
  });

  it('the other pages reach no Twilio host', async () => {
    for (const path of ['/manage', '/portal']) {
      const csp = parseCsp((await ctx.http().get(path)).headers['content-security-policy']);
      expect(
        allows(sourcesFor(csp, 'connect-src'), 'wss://voice-js.roaming.twilio.com/signal'),
      ).toBe(false);
    }
  });

  it('Swagger UI (/docs) gets its inline styles, and still no script of anyone else', async () => {
    const page = await ctx.http().get('/docs').redirects(1).expect(200);
    const csp = parseCsp(page.headers['content-security-policy']);
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    // Its scripts are files of its own, none inline.
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
  });

  it('sends HSTS and upgrades requests when PUBLIC_BASE_URL is https', async () => {
    const secure = await TestContext.create({ publicBaseUrl: 'https://desk.example.com' });
    try {
      for (const path of ['/console', '/health']) {
        const res = await secure.http().get(path);
        expect(res.headers['strict-transport-security']).toBe(
          'max-age=31536000; includeSubDomains',
        );
      }
      const csp = parseCsp((await secure.http().get('/manage')).headers['content-security-policy']);
      expect(csp.has('upgrade-insecure-requests')).toBe(true);
      const plain = parseCsp((await ctx.http().get('/manage')).headers['content-security-policy']);
      expect(plain.has('upgrade-insecure-requests')).toBe(false);
    } finally {
      await secure.close();
    }
  });
});

describe('source maps', () => {
  it('are never served, even when a build left some beside the scripts', async () => {
    const made: string[] = [];
    const probes: string[] = [];
    const probe = (dir: string, name: string, text: string) => {
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        made.push(dir);
      }
      const file = join(dir, name);
      writeFileSync(file, text);
      probes.push(file);
    };
    const tag = `zz-probe-${process.pid}`;
    probe(join(ROOT, 'dist', 'web'), `${tag}.js`, 'export {};\n');
    probe(join(ROOT, 'dist', 'web'), `${tag}.js.map`, '{"version":3}');
    probe(join(ROOT, 'dist', 'app', 'assets'), `${tag}.js.map`, '{"version":3}');
    probe(join(ROOT, 'dist', 'app', 'assets'), `${tag}.JS.MAP`, '{"version":3}');
    const ctx = await TestContext.create();
    try {
      await ctx.http().get(`/js/${tag}.js`).expect(200);
      for (const path of [
        `/js/${tag}.js.map`,
        `/app/assets/${tag}.js.map`,
        `/app/assets/${tag}.JS.MAP`,
      ]) {
        const res = await ctx.http().get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
    } finally {
      await ctx.close();
      for (const file of probes) rmSync(file, { force: true });
      for (const dir of made.reverse()) {
        if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
      }
    }
  });

  it('are not made by the production builds of the pages', async () => {
    const run = promisify(execFile);
    const out = await mkdtemp(join(tmpdir(), 'rd-build-'));
    try {
      const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
      await run(
        bin('vite'),
        [
          'build',
          '--config',
          'web/vite.config.mts',
          '--outDir',
          join(out, 'app'),
          '--emptyOutDir',
          '--logLevel',
          'error',
        ],
        { cwd: ROOT },
      );
      await run(bin('tsc'), ['-p', 'web/tsconfig.json', '--outDir', join(out, 'web')], {
        cwd: ROOT,
      });
      const files = readdirSync(out, { recursive: true, encoding: 'utf8' });
      expect(files.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(3);
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
      for (const f of files.filter((x) => x.endsWith('.js'))) {
        expect({
          f,
          mapped: readFileSync(join(out, f), 'utf8').includes('sourceMappingURL'),
        }).toEqual({ f, mapped: false });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120000);
});
