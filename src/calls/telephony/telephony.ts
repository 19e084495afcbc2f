import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG, TWILIO_HTTP_CLIENT } from '../../config/config.module';

/** Lifetime of the console's access token; the console refreshes it before it runs out. */
export const TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenAnswer {
  mode: 'twilio' | 'simulated';
  identity: string;
  /** A Twilio Access Token (JWT) with a Voice grant; null for the simulated phone. */
  token: string | null;
  ttlSeconds: number | null;
  expiresAt: Date | null;
}

type TwilioClient = ReturnType<typeof twilio>;

/**
 * The telephony provider behind one interface: `twilio` when its five variables are set,
 * `simulated` otherwise. Both verify webhook signatures with an auth token (the simulated phone
 * signs its callbacks with a token made at boot), so the same guard and handlers serve both.
 */
@Injectable()
export class Telephony {
  readonly mode: 'twilio' | 'simulated';
  readonly webhookAuthToken: string;
  private readonly rest: TwilioClient | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TWILIO_HTTP_CLIENT) httpClient: unknown,
  ) {
    const t = config.twilio;
    this.mode = t ? 'twilio' : 'simulated';
    this.webhookAuthToken = t ? t.authToken : randomBytes(24).toString('hex');
    this.rest = t
      ? twilio(t.accountSid, t.authToken, {
          ...(httpClient ? { httpClient: httpClient as never } : {}),
        })
      : null;
  }

  /** The URL Twilio requested: the configured public base URL plus the raw path and query. */
  publicUrl(pathAndQuery: string): string {
    return this.config.publicBaseUrl + pathAndQuery;
  }

  accessToken(userId: string, now: Date): AccessTokenAnswer {
    const identity = identityOf(userId);
    const t = this.config.twilio;
    if (!t) return { mode: 'simulated', identity, token: null, ttlSeconds: null, expiresAt: null };
    const token = new twilio.jwt.AccessToken(t.accountSid, t.apiKeySid, t.apiKeySecret, {
      identity,
      ttl: TOKEN_TTL_SECONDS,
    });
    token.addGrant(
      new twilio.jwt.AccessToken.VoiceGrant({
        outgoingApplicationSid: t.twimlAppSid,
        incomingAllow: false,
      }),
    );
    return {
      mode: 'twilio',
      identity,
      token: token.toJwt(),
      ttlSeconds: TOKEN_TTL_SECONDS,
      expiresAt: new Date(now.getTime() + TOKEN_TTL_SECONDS * 1000),
    };
  }

  /** Ends a live call through Twilio's REST API (the service's cut at the talk cap). */
  async endCall(callSid: string): Promise<void> {
    if (!this.rest) throw new Error('endCall needs Twilio');
    await this.rest.calls(callSid).update({ status: 'completed' });
  }

  /**
   * A call as Twilio's REST API has it now, or null when Twilio does not know the SID (404); any
   * other failure throws.
   */
  async fetchCall(callSid: string): Promise<ProviderCall | null> {
    if (!this.rest) throw new Error('fetchCall needs Twilio');
    try {
      return providerCall(await this.rest.calls(callSid).fetch());
    } catch (e) {
      if ((e as { status?: unknown }).status === 404) return null;
      throw e;
    }
  }

  /** The legs a call started (the dialed legs of a browser call), newest first. */
  async childCalls(parentCallSid: string): Promise<ProviderCall[]> {
    if (!this.rest) throw new Error('childCalls needs Twilio');
    const page = await this.rest.calls.page({ parentCallSid, pageSize: 20 });
    return page.instances.map(providerCall);
  }
}

/** What the reconciliation needs of a Twilio Call resource. */
export interface ProviderCall {
  sid: string;
  /** Twilio's status: `queued`, `ringing`, `in-progress`, `completed`, `busy`, `no-answer`, … */
  status: string;
  /** Seconds connected, as `CallDuration` of the final status callback (null when not connected). */
  durationSeconds: number | null;
}

function providerCall(c: { sid: string; status: string; duration: string | null }): ProviderCall {
  const d = c.duration === null || c.duration === undefined ? '' : String(c.duration);
  return { sid: c.sid, status: c.status, durationSeconds: /^\d+$/.test(d) ? Number(d) : null };
}

/** Twilio client identities allow letters, digits and underscores: `user_<uuid without dashes>`. */
export function identityOf(userId: string): string {
  return `user_${userId.replace(/-/g, '')}`;
}

/** The user id behind a `From` of `client:user_<hex>`, or null. */
export function userOfIdentity(from: string | undefined): string | null {
  const m = /^(?:client:)?user_([0-9a-f]{32})$/.exec(from ?? '');
  if (!m) return null;
  const h = m[1];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A call SID in Twilio's shape, for the simulated phone. */
export function fakeCallSid(): string {
  return 'CA' + randomBytes(16).toString('hex');
}
