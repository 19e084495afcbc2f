import { XMLParser } from 'fast-xml-parser';
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import twilio from 'twilio';
import { identityOf } from '../src/calls/telephony/telephony';
import { sql } from '../test/pg-server';
import { browserSuite, expectText, openPage, shot, signIn } from './browser';
import { TWILIO_BASE, TWILIO_CREDS } from '../test/twilio-fixtures';

const BASE = TWILIO_BASE;
const CREDS = TWILIO_CREDS;

/** Twilio's REST API, faked at its HTTP client: nothing leaves the machine. */
const rest = {
  requests: [] as string[],
  request(opts: { uri: string }) {
    rest.requests.push(opts.uri);
    return Promise.resolve({ statusCode: 200, body: '{"status":"completed"}', headers: {} });
  },
};

/**
 * The Voice SDK as the page sees it (`window.Twilio.Device`), served instead of the real
 * `/vendor/twilio.min.js`. Its `connect` asks `twilioCloud` (exposed from Node) to play Twilio's
 * part, and it records what the console does with it in `window.__fakeTwilio`.
 */
const FAKE_SDK = `(() => {
  const fake = (window.__fakeTwilio = {
    tokens: [], options: null, updates: [], connects: [], digits: [], mutes: [],
    device: null, call: null, failNext: null,
  });
  class Emitter {
    constructor() { this.listeners = {}; }
    on(event, f) { (this.listeners[event] = this.listeners[event] || []).push(f); return this; }
    emit(event, ...args) { for (const f of this.listeners[event] || []) f(...args); }
  }
  class Call extends Emitter {
    constructor(params) { super(); this.parameters = params; this.state = 'connecting'; this.muted = false; }
    status() { return this.state; }
    mute(on = true) { this.muted = on; fake.mutes.push(on); }
    isMuted() { return this.muted; }
    sendDigits(digits) { fake.digits.push(digits); }
    disconnect() {
      window.twilioCloud('hangup', this.parameters.callId, '').then(() => {
        this.state = 'closed';
        this.emit('disconnect', this);
      });
    }
  }
  class Device extends Emitter {
    constructor(token, options) { super(); this.token = token; fake.tokens.push(token); fake.options = options; fake.device = this; }
    updateToken(token) { this.token = token; fake.updates.push(token); }
    async connect(options) {
      fake.connects.push(options.params);
      if (fake.failNext) { const e = fake.failNext; fake.failNext = null; throw e; }
      const call = new Call(options.params);
      fake.call = call;
      window.twilioCloud('connect', options.params.callId, this.token).then((events) => {
        for (const e of events) { if (e === 'ringing') call.state = 'ringing'; call.emit(e, false); }
      });
      return call;
    }
  }
  window.Twilio = { Device, Call };
})();`;

interface FakeTwilio {
  tokens: string[];
  options: Record<string, unknown> | null;
  updates: string[];
  connects: Record<string, string>[];
  digits: string[];
  mutes: boolean[];
  call: { muted: boolean; emit(event: string): void } | null;
  device: { emit(event: string): void } | null;
  failNext: unknown;
}
/** The page's global object, as the fake SDK leaves it (the tests compile without the DOM types). */
type Win = { __fakeTwilio: FakeTwilio };

const fake = (page: Page) => page.evaluate(() => (globalThis as unknown as Win).__fakeTwilio);
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
});
const sid = () => 'CA' + randomBytes(16).toString('hex');

/**
 * Twilio's cloud for one browser call: the voice webhook when the device connects, then status
 * callbacks for the dialed leg to the URL the TwiML named, each signed as Twilio signs them.
 */
class FakeCloud {
  parent = '';
  child = '';
  dialed = '';
  private statusPath = '';
  private seq = 0;

  constructor(private readonly base: () => string) {}

  private async post(pathAndQuery: string, params: Record<string, string>) {
    return fetch(this.base() + pathAndQuery, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          CREDS.authToken,
          BASE + pathAndQuery,
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
  }

  /** The device connected: Twilio asks the voice URL what to do, and dials. */
  async connect(callId: string, token: string): Promise<string[]> {
    const claims = jwt.verify(token, CREDS.apiKeySecret) as { grants: { identity: string } };
    this.parent = sid();
    this.child = sid();
    this.seq = 0;
    const res = await this.post('/telephony/twilio/voice', {
      CallSid: this.parent,
      AccountSid: CREDS.accountSid,
      From: `client:${claims.grants.identity}`,
      Direction: 'inbound',
      CallStatus: 'ringing',
      callId,
    });
    const twiml = await res.text();
    if (res.status !== 200) throw new Error(`voice webhook answered ${res.status}: ${twiml}`);
    const number = xml.parse(twiml).Response.Dial.Number;
    this.dialed = String(number['#text']);
    const callback = new URL(String(number['@statusCallback']));
    this.statusPath = callback.pathname + callback.search;
    await this.status('initiated');
    await this.status('ringing');
    return ['ringing'];
  }

  async status(status: string, extra: Record<string, string> = {}): Promise<void> {
    const res = await this.post(this.statusPath, {
      CallSid: this.child,
      ParentCallSid: this.parent,
      CallStatus: status,
      SequenceNumber: String(this.seq++),
      ...extra,
    });
    if (res.status !== 204) throw new Error(`status callback answered ${res.status}`);
  }
}

/** The console in Twilio mode, in a real Chromium, with the SDK faked and Twilio's cloud played from Node. */
describe('caller console with Twilio (no network)', () => {
  const suite = browserSuite({ twilio: CREDS, publicBaseUrl: BASE }, { twilioHttpClient: rest });
  const cloud = new FakeCloud(() => suite.base());

  /** A page with the fake SDK and the fake cloud, counting token requests. */
  async function twilioPage() {
    const { page, errors } = await openPage(suite.browser());
    const tokenRequests: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/telephony/token') tokenRequests.push(r.url());
    });
    await page.route('**/vendor/twilio.min.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: FAKE_SDK }),
    );
    await page.exposeFunction('twilioCloud', (action: string, callId: string, token: string) =>
      action === 'connect'
        ? cloud.connect(callId, token)
        : cloud.status('completed', { CallDuration: '42' }),
    );
    return { page, errors, tokenRequests };
  }

  /** An active campaign with one contact, and its caller (named). */
  async function campaignWithOne(phone: string) {
    const ctx = suite.ctx();
    ctx.clock.set('2026-03-02T18:00:00Z');
    const { campaignId, callers } = await ctx.activeCampaign({
      fields: { maxAttempts: 3, minRetryMinutes: 60 },
    });
    await ctx.importCsv(
      campaignId,
      `company,first name,phone,state\nHarbor Freight Co,Robin,${phone},CA\n`,
    );
    return { campaignId, caller: callers[0] };
  }

  it('serves the Voice SDK browser build at /vendor/twilio.min.js', async () => {
    const res = await fetch(`${suite.base()}/vendor/twilio.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(await res.text()).toContain('Twilio.Device');
  });

  it('calls through the Device: token, connect with the call id, ringing → in call → ended, mute, keypad, token refresh, outcome', async () => {
    const ctx = suite.ctx();
    const { campaignId, caller } = await campaignWithOne('(213) 555-4101');
    const { page, errors, tokenRequests } = await twilioPage();
    const status = page.getByRole('status');

    await signIn(page, `${suite.base()}/console`, caller);
    await page.getByRole('button', { name: 'Next contact' }).click();
    await page.getByText('Harbor Freight Co').first().waitFor();
    await page.waitForFunction(() => !!(globalThis as unknown as Partial<Win>).__fakeTwilio);
    expect(await page.getByRole('button', { name: 'Simulate answer' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expectText(status, 'ringing');

    const [row] = await sql<{ id: string; state: string; parent_call_sid: string }>(
      ctx.dbUrl,
      'SELECT id, state, parent_call_sid FROM calls WHERE campaign_id = $1',
      [campaignId],
    );
    let f = await fake(page);
    expect(f.connects).toEqual([{ callId: row.id }]);
    expect(f.tokens).toHaveLength(1);
    const first = jwt.verify(f.tokens[0], CREDS.apiKeySecret) as jwt.JwtPayload & {
      grants: { identity: string };
    };
    expect(first.grants.identity).toBe(identityOf(caller.id));
    expect(row).toMatchObject({ state: 'ringing', parent_call_sid: cloud.parent });
    expect(cloud.dialed).toBe('+12135554101');

    // The contact answers.
    await cloud.status('in-progress');
    await page.evaluate(() => (globalThis as unknown as Win).__fakeTwilio.call!.emit('accept'));
    await expectText(status, 'in call');
    await expectText(page.locator('#countdown'), 'Talk cap');

    // Mute and unmute.
    const mute = page.getByRole('button', { name: 'Mute' });
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    expect((await fake(page)).call!.muted).toBe(true);
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('false');
    expect((await fake(page)).mutes).toEqual([true, false]);

    // The keypad, by click and from the keyboard (not the disposition keys while on the line).
    await page.getByRole('button', { name: 'Key 1' }).click();
    await page.keyboard.press('2');
    await page.keyboard.press('#');
    await page.getByRole('button', { name: 'Key star' }).click();
    expect((await fake(page)).digits).toEqual(['1', '2', '#', '*']);
    await expectText(page.locator('#dtmf'), '12#*');
    expect(await page.getByRole('button', { name: 'Busy' }).getAttribute('aria-pressed')).toBe(
      'false',
    );

    // The token will expire: the console fetches a fresh one and hands it to the Device.
    const before = tokenRequests.length;
    await page.evaluate(() =>
      (globalThis as unknown as Win).__fakeTwilio.device!.emit('tokenWillExpire'),
    );
    await page.waitForFunction(
      () => (globalThis as unknown as Win).__fakeTwilio.updates.length === 1,
    );
    expect(tokenRequests).toHaveLength(before + 1);
    f = await fake(page);
    const fresh = jwt.verify(f.updates[0], CREDS.apiKeySecret) as jwt.JwtPayload & {
      grants: { identity: string };
    };
    expect(fresh.grants.identity).toBe(identityOf(caller.id));
    expect(fresh.exp! - fresh.iat!).toBe(900);
    await shot(page, 'twilio-1-in-call');

    // Hang up, then the outcome with a note.
    await page.getByRole('button', { name: 'Hang up' }).click();
    await expectText(status, 'ended');
    expect(await mute.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Key 1' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Gatekeeper' }).click();
    await page.getByLabel('Notes').fill('Front desk: the owner is back on Thursday');
    await page.getByRole('button', { name: 'Save outcome' }).click();
    await page.getByText('No contact may be called right now').waitFor();
    const [done] = await sql<{ state: string; disposition: string; talk_seconds: number }>(
      ctx.dbUrl,
      'SELECT state, disposition, talk_seconds FROM calls WHERE id = $1',
      [row.id],
    );
    expect(done).toEqual({ state: 'completed', disposition: 'gatekeeper', talk_seconds: 42 });

    // After the gap the contact comes back, with the earlier call and its note.
    ctx.clock.advance(3660);
    await page.getByRole('button', { name: 'Next contact' }).click();
    const earlier = page.getByRole('list', { name: 'Earlier calls' });
    await expectText(earlier, 'Front desk: the owner is back on Thursday');
    await expectText(earlier, 'you · Gatekeeper');
    await shot(page, 'twilio-2-earlier-calls');
    expect(rest.requests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('comes back to a Twilio call after a reload, and to its wrap-up once Twilio ends it', async () => {
    const ctx = suite.ctx();
    const { campaignId, caller } = await campaignWithOne('(213) 555-4103');
    const { page, errors } = await twilioPage();
    const status = page.getByRole('status');
    await signIn(page, `${suite.base()}/console`, caller);
    await page.getByRole('button', { name: 'Next contact' }).click();
    await page.getByText('Harbor Freight Co').first().waitFor();
    await page.waitForFunction(() => !!(globalThis as unknown as Partial<Win>).__fakeTwilio);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expectText(status, 'ringing');
    await cloud.status('in-progress');
    await page.evaluate(() => (globalThis as unknown as Win).__fakeTwilio.call!.emit('accept'));
    await expectText(status, 'in call');
    await page.getByLabel('Notes').fill('Wants a callback from the owner');

    // The reload ends the browser's leg; the page comes back to the call on the line.
    await page.reload();
    await page.getByText('Harbor Freight Co').first().waitFor();
    await expectText(status, 'in call');
    expect(await page.getByRole('button', { name: 'Next contact' }).isDisabled()).toBe(true);
    // Twilio ends the call: the console sees it and opens the wrap-up, the notes kept.
    await cloud.status('completed', { CallDuration: '35' });
    await expectText(page.locator('#wrap-up'), 'Wrap-up');
    expect(await page.getByLabel('Notes').inputValue()).toBe('Wants a callback from the owner');
    await page.getByRole('button', { name: 'Not interested' }).click();
    await page.getByRole('button', { name: 'Save outcome' }).click();
    await page.getByText('No contact may be called right now').waitFor();
    const [row] = await sql<{ disposition: string; talk_seconds: number }>(
      ctx.dbUrl,
      'SELECT disposition, talk_seconds FROM calls WHERE campaign_id = $1',
      [campaignId],
    );
    expect(row).toEqual({ disposition: 'not_interested', talk_seconds: 35 });
    expect(errors).toEqual([]);
  });

  it('says in words when the browser may not use the microphone', async () => {
    const { caller } = await campaignWithOne('(213) 555-4102');
    const { page, errors } = await twilioPage();
    await signIn(page, `${suite.base()}/console`, caller);
    await page.getByRole('button', { name: 'Next contact' }).click();
    await page.getByText('Harbor Freight Co').first().waitFor();
    await page.waitForFunction(() => !!(globalThis as unknown as Partial<Win>).__fakeTwilio);
    await page.evaluate(() => {
      (globalThis as unknown as Win).__fakeTwilio.failNext = {
        code: 31401,
        name: 'PermissionDeniedError',
        message: '',
      };
    });
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await expectText(page.getByRole('alert'), 'may not use the microphone');
    await expectText(page.getByRole('status'), 'ended (not placed)');
    // Nothing reached Twilio, so the dial was taken back: the contact is held, Call works again.
    const [row] = await sql<{ state: string }>(
      suite.ctx().dbUrl,
      `SELECT k.state FROM calls k JOIN users u ON u.id = k.caller_id WHERE u.email = $1`,
      [caller.email],
    );
    expect(row.state).toBe('leased');
    expect(await page.getByRole('button', { name: 'Call', exact: true }).isEnabled()).toBe(true);
    await shot(page, 'twilio-3-microphone-refused');
    expect(errors).toEqual([]);
  });
});
