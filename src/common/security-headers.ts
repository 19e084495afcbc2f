import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Which headers a response gets: `api` (every route but the pages: nothing may be loaded, framed
 * or sniffed), `page` (/manage and /portal: our own scripts, styles and data only), `console`
 * (the page plus what the Twilio Voice SDK reaches) and `docs` (Swagger UI, whose page carries
 * inline styles).
 */
export type HeaderPolicy = 'api' | 'page' | 'console' | 'docs';

/**
 * Where the Twilio Voice SDK (served by us at /vendor/twilio.min.js, so no script origin of
 * Twilio's is needed) connects, after the CSP section of the SDK's README: its signalling
 * websocket `wss://voice-js.<edge>.twilio.com/signal` (any edge), its insights
 * `https://eventgw[.<region>].twilio.com`, and its ringtones, fetched from
 * `https://sdk.twilio.com/js/client/sounds/...` (and the older `media.twiliocdn.com`).
 */
export const TWILIO_CONNECT_SRC = [
  'https://*.twilio.com',
  'wss://*.twilio.com',
  'https://sdk.twilio.com',
  'https://media.twiliocdn.com',
];

/**
 * What the console's `<audio>` elements play: the call's remote stream (`srcObject`, or a
 * `blob:` URL on browsers without it, and `mediastream:`) and the SDK's ringtones.
 */
export const TWILIO_MEDIA_SRC = [
  'blob:',
  'mediastream:',
  'https://sdk.twilio.com',
  'https://media.twiliocdn.com',
];

/** The CSP directives of a policy (`https`: the service is reached over HTTPS). */
export function cspDirectives(policy: HeaderPolicy, https: boolean): Record<string, string[]> {
  const locked = {
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
  };
  if (policy === 'api') {
    return { 'default-src': ["'none'"], ...locked, 'form-action': ["'none'"] };
  }
  const page: Record<string, string[]> = {
    'default-src': ["'self'"],
    ...locked,
    'form-action': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    // Preact and the pages set styles through the CSSOM (`el.style`), which CSP does not
    // restrict; no page carries a style attribute or a <style> element. Swagger UI does.
    'style-src': policy === 'docs' ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': policy === 'console' ? ["'self'", ...TWILIO_CONNECT_SRC] : ["'self'"],
    'media-src': policy === 'console' ? ["'self'", ...TWILIO_MEDIA_SRC] : ["'self'"],
  };
  if (https) page['upgrade-insecure-requests'] = [];
  return page;
}

/** helmet's options for a policy (HSTS only when the service is reached over HTTPS). */
function helmetOptions(policy: HeaderPolicy, https: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(policy, https) },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 365 * 86400, includeSubDomains: true } : false,
  };
}

/**
 * The headers helmet gives a response under a policy, computed once: helmet's middleware
 * builds its headers from the options on every call (@fastify/helmet calls it per request,
 * which halved a bare route's throughput here), while the headers of a policy never change.
 */
export function securityHeaders(policy: HeaderPolicy, https: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(helmetOptions(policy, https))(
    {} as IncomingMessage,
    res as unknown as ServerResponse,
    (err?: unknown) => {
      if (err) throw err instanceof Error ? err : new Error(String(err));
    },
  );
  return headers;
}

/** The policy of a route, by its path. */
function policyOf(url: string): HeaderPolicy {
  if (url === '/console') return 'console';
  if (url === '/manage' || url === '/portal') return 'page';
  if (url === '/docs' || url.startsWith('/docs/')) return 'docs';
  return 'api';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which security headers the route's responses carry (see `registerSecurityHeaders`). */
    headerPolicy?: HeaderPolicy;
  }
}

/**
 * Every response carries the security headers of its route's policy (errors and 404s too):
 * a CSP, `X-Frame-Options: DENY` with `frame-ancestors 'none'`, `nosniff`, `Referrer-Policy:
 * no-referrer`, and HSTS when `PUBLIC_BASE_URL` is https. Register before any route.
 */
export function registerSecurityHeaders(fastify: FastifyInstance, publicBaseUrl: string): void {
  const https = new URL(publicBaseUrl).protocol === 'https:';
  const sets: Record<HeaderPolicy, Record<string, string>> = {
    api: securityHeaders('api', https),
    page: securityHeaders('page', https),
    console: securityHeaders('console', https),
    docs: securityHeaders('docs', https),
  };
  fastify.addHook('onRoute', (route) => {
    const policy = policyOf(route.url ?? '');
    if (policy !== 'api') route.config = { ...route.config, headerPolicy: policy };
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.headers(sets[req.routeOptions.config?.headerPolicy ?? 'api']);
    done();
  });
}
