import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';

/** Every address a host name resolves to (tests inject their own DNS). */
export type ResolveHost = (host: string) => Promise<LookupAddress[]>;

export const resolveWithDns: ResolveHost = (host) => lookup(host, { all: true });

/** The host's network interfaces, as `os.networkInterfaces()` gives them (tests pass a table). */
export type Interfaces = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The ranges of the IANA special-purpose registries that are globally reachable, by the names
 * ipaddr.js's `range()` gives them: `unicast` is no special range at all; AS112 and AMT are
 * anycast services on the public Internet. Every other range it names is refused.
 */
const PUBLIC_V4 = new Set(['unicast', 'as112', 'amt']);
const PUBLIC_V6 = new Set(['unicast', 'as112v6', 'amt']);

/** How a refused range is named in messages: "points at 10.0.0.1, a private address". */
const KIND: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  private: 'a private address',
  reserved: 'a reserved, documentation or benchmarking address',
  uniqueLocal: 'a unique-local (private) address',
  deprecatedSiteLocal: 'a site-local address',
  discard: 'a discard-only address',
  ipv4Mapped: 'an IPv4-mapped address',
  ipv4Compatible: 'an IPv4-compatible address',
  rfc6145: 'an IPv4-translated address',
  rfc6052: 'a local-use NAT64 address',
  nat64: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
  benchmarking: 'a benchmarking address',
  deprecatedOrchid: 'an ORCHID identifier, not an address',
  orchid2: 'an ORCHID identifier, not an address',
  droneRemoteIdProtocolEntityTags: 'a drone entity tag, not an address',
  segmentRouting: 'a segment-routing identifier, not an address',
  notGlobal: 'an address outside the global unicast space (2000::/3)',
  own: 'an address of this host',
};

/** IANA's global unicast space: every other IPv6 address is reserved or special. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as [ipaddr.IPv6, number];
/** The well-known NAT64 prefix: globally reachable when the IPv4 address it carries is. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96') as [ipaddr.IPv6, number];

/** The IPv4 address an IPv6 address carries, and the name of that form; null for none. */
function carriedIPv4(a: ipaddr.IPv6): { v4: ipaddr.IPv4; form: string } | null {
  const p = a.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  const zeros = (n: number) => p.slice(0, n).every((x) => x === 0);
  if (zeros(5) && p[5] === 0xffff) return { v4: v4(p[6], p[7]), form: 'ipv4Mapped' };
  if (zeros(6)) return { v4: v4(p[6], p[7]), form: 'ipv4Compatible' };
  if (zeros(4) && p[4] === 0xffff && p[5] === 0) return { v4: v4(p[6], p[7]), form: 'rfc6145' };
  if (a.match(NAT64)) return { v4: v4(p[6], p[7]), form: 'nat64' };
  if (a.range() === '6to4') return { v4: v4(p[1], p[2]), form: '6to4' };
  return null;
}

/** The host's own addresses, as comparable keys. */
function ownAddresses(interfaces: Interfaces): Set<string> {
  const own = new Set<string>();
  for (const infos of Object.values(interfaces())) {
    for (const info of infos ?? []) {
      const address = info.address.split('%')[0];
      if (isIP(address)) own.add(keyOf(ipaddr.parse(address)));
    }
  }
  return own;
}

const keyOf = (a: ipaddr.IPv4 | ipaddr.IPv6) => `${a.kind()}:${a.toByteArray().join('.')}`;

function refusalOf(a: ipaddr.IPv4 | ipaddr.IPv6, own: Set<string>): string | null {
  if (a instanceof ipaddr.IPv4) {
    const range = a.range();
    if (!PUBLIC_V4.has(range)) return KIND[range] ?? `a special-purpose (${range}) address`;
  } else {
    const range = a.range();
    // :: and ::1 are themselves, not IPv4-compatible forms of 0.0.0.0 and 0.0.0.1.
    if (range === 'unspecified' || range === 'loopback') return KIND[range];
    const carried = carriedIPv4(a);
    const inner = carried && refusalOf(carried.v4, own);
    if (carried && inner)
      return `${KIND[carried.form]} carrying ${carried.v4.toString()}, ${inner}`;
    // 64:ff9b::/96 is globally reachable (its IPv4 was checked above); 64:ff9b:1::/48 is not.
    const nat64 = carried?.form === 'nat64';
    if (!nat64 && !PUBLIC_V6.has(range))
      return KIND[range] ?? `a special-purpose (${range}) address`;
    // IPv4-compatible (::/96) and anything else outside 2000::/3 that has no range of its own.
    if (!nat64 && !a.match(GLOBAL_UNICAST)) return KIND[carried?.form ?? 'notGlobal'];
  }
  return own.has(keyOf(a)) ? KIND.own : null;
}

/**
 * Why a webhook may not be posted to `ip`, as a noun phrase ("a loopback address"), or null for
 * a public address: refused are every range of the IANA IPv4 and IPv6 special-purpose registries
 * that is not globally reachable (ipaddr.js's classification), multicast, IPv6 outside
 * 2000::/3, this host's own interface addresses, and IPv6 forms that carry a refused IPv4
 * address (mapped, compatible, translated, NAT64, 6to4), whichever notation was written.
 */
export function addressRefusal(
  ip: string,
  interfaces: Interfaces = networkInterfaces,
): string | null {
  const bare = ip.replace(/^\[|\]$/g, '').split('%')[0];
  if (!isIP(bare)) return 'not an IP address';
  return refusalOf(ipaddr.parse(bare), ownAddresses(interfaces));
}

/**
 * Why a webhook URL is refused, or null: it must be http(s), without credentials, and resolve
 * only to public addresses (see addressRefusal) unless the operator allows every address
 * (`WEBHOOK_ALLOW_PRIVATE_URLS`). The URL parser has already turned other IPv4 notations
 * (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) into dotted decimal and IPv6 into its
 * compressed hex form.
 */
export async function webhookUrlProblem(
  raw: string,
  allowPrivate: boolean,
  resolve: ResolveHost = resolveWithDns,
  interfaces: Interfaces = networkInterfaces,
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be http or https';
  if (url.username || url.password) return 'must not carry credentials';
  if (allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await resolve(host)).map((a) => a.address);
  } catch {
    return 'does not resolve';
  }
  for (const address of addresses) {
    const why = addressRefusal(address, interfaces);
    if (why) return `points at ${address}, ${why}`;
  }
  return null;
}
