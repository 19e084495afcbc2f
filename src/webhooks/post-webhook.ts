import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { signWebhook } from './signing';
import { addressRefusal, resolveWithDns, type Interfaces, type ResolveHost } from './url-policy';

/** The connect was refused because the host resolved to an address the policy forbids. */
class PrivateAddressError extends Error {
  /** `points at <address>, <why>`: what the attempt log shows after "the URL". */
  readonly problem: string;
  constructor(host: string, address: string, why: string) {
    const problem = `points at ${address}, ${why}`;
    super(host === address ? problem : `${host} ${problem}`);
    this.problem = problem;
  }
}

/**
 * A `lookup` for http(s).request that resolves the host once and refuses the connection when
 * any of its addresses is private: the addresses checked are the ones connected to, so a DNS
 * server that answers differently to a check and to the connect (rebinding) gains nothing.
 * Node calls it with `options.all` true (it then tries each address) or false (one address).
 */
export function guardedLookup(
  resolve: ResolveHost,
  allowPrivate: boolean,
  interfaces?: Interfaces,
): LookupFunction {
  return (host, options, callback) => {
    resolve(host).then(
      (found) => {
        // All of them, not only the family asked for: any private answer means a hostile name.
        for (const a of allowPrivate ? [] : found) {
          const why = addressRefusal(a.address, interfaces);
          if (why) {
            callback(new PrivateAddressError(host, a.address, why), []);
            return;
          }
        }
        const usable = options.family ? found.filter((a) => a.family === options.family) : found;
        if (!usable.length) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
          err.code = 'ENOTFOUND';
          callback(err, []);
        } else if (options.all) callback(null, usable);
        else callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

export interface WebhookDelivery {
  url: string;
  /** The delivery's id: the `webhook-id`, the same on every attempt. */
  id: string;
  secret: string;
  body: string;
}

/** The receiver's status code (any, 3xx included), or why there is none. */
export type WebhookAnswer =
  { statusCode: number; error: null } | { statusCode: null; error: string };

/**
 * POSTs a delivery with Standard Webhooks headers and resolves with the status code; never
 * follows a redirect and discards the body. Only http(s) URLs; errors are the texts the attempt
 * log shows (`the URL …`, `no answer within N s`, `could not connect: …`).
 */
export function postWebhook(
  d: WebhookDelivery,
  opts: {
    timeoutSeconds: number;
    allowPrivate: boolean;
    resolve?: ResolveHost;
    /** The host's interfaces (tests pass a table); `os.networkInterfaces()` by default. */
    interfaces?: Interfaces;
  },
): Promise<WebhookAnswer> {
  return new Promise((done) => {
    let req: ClientRequest | undefined;
    let settled = false;
    const settle = (answer: WebhookAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(answer);
    };
    const fail = (e: unknown) => {
      const err = e as Error;
      settle({
        statusCode: null,
        error:
          err instanceof PrivateAddressError
            ? `the URL ${err.problem}`
            : `could not connect: ${err.message ?? String(e)}`,
      });
    };
    // One limit for all of it (resolving, connecting, the answer's head), as fetch's signal was.
    const timer = setTimeout(() => {
      settle({ statusCode: null, error: `no answer within ${opts.timeoutSeconds} s` });
      req?.destroy();
    }, opts.timeoutSeconds * 1000);
    try {
      const url = new URL(d.url);
      // An IP literal is connected to as is, without a lookup: it is checked here instead.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const why = !opts.allowPrivate && isIP(host) && addressRefusal(host, opts.interfaces);
      if (why) throw new PrivateAddressError(host, host, why);
      const timestamp = Math.floor(Date.now() / 1000);
      req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(d.body),
          'user-agent': 'referral-desk-webhooks/1',
          'webhook-id': d.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(d.secret, d.id, timestamp, d.body),
        },
        lookup: guardedLookup(opts.resolve ?? resolveWithDns, opts.allowPrivate, opts.interfaces),
        // A connection of its own: no pooled socket, whatever it was connected to, is reused.
        agent: false,
      });
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        settle({ statusCode: res.statusCode ?? 0, error: null });
        res.destroy();
      });
      req.end(d.body);
    } catch (e) {
      fail(e);
    }
  });
}
