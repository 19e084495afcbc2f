import type { LookupAddress } from 'node:dns';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { addressRefusal, webhookUrlProblem, type Interfaces } from './url-policy';

/** A host whose only interfaces are loopback: the ranges alone decide. */
const LOOPBACK_ONLY: Interfaces = () => ({
  lo: [iface('127.0.0.1'), iface('::1')],
});

function iface(address: string): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return {
    address,
    netmask: v6 ? 'ffff:ffff:ffff:ffff::' : '255.255.255.0',
    family: v6 ? 'IPv6' : 'IPv4',
    mac: '02:00:00:00:00:01',
    internal: false,
    cidr: null,
    ...(v6 ? { scopeid: 0 } : {}),
  } as NetworkInterfaceInfo;
}

/** A DNS that must not be asked (IP literals are never looked up). */
const noDns = async (host: string): Promise<LookupAddress[]> => {
  throw new Error(`unexpected lookup of ${host}`);
};

const LOOPBACK = 'a loopback address';
const PRIVATE = 'a private address';
const RESERVED = 'a reserved, documentation or benchmarking address';

/**
 * Every IPv4 range of the IANA special-purpose registry that is not globally reachable, plus
 * multicast and limited broadcast: its first and last address, and what it is called.
 */
const REFUSED_V4: [string, string, string][] = [
  ['0.0.0.0/8', '0.0.0.0', 'an unspecified address'],
  ['0.0.0.0/8', '0.255.255.255', 'an unspecified address'],
  ['10.0.0.0/8', '10.0.0.0', PRIVATE],
  ['10.0.0.0/8', '10.255.255.255', PRIVATE],
  ['100.64.0.0/10', '100.64.0.0', 'a shared (carrier-grade NAT) address'],
  ['100.64.0.0/10', '100.127.255.255', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0/8', '127.0.0.1', LOOPBACK],
  ['127.0.0.0/8', '127.255.255.254', LOOPBACK],
  ['169.254.0.0/16', '169.254.0.0', 'a link-local address'],
  ['169.254.0.0/16', '169.254.169.254', 'a link-local address'],
  ['172.16.0.0/12', '172.16.0.0', PRIVATE],
  ['172.16.0.0/12', '172.31.255.255', PRIVATE],
  ['192.0.0.0/24', '192.0.0.0', RESERVED],
  ['192.0.0.0/24', '192.0.0.255', RESERVED],
  ['192.0.2.0/24', '192.0.2.0', RESERVED],
  ['192.0.2.0/24', '192.0.2.255', RESERVED],
  ['192.88.99.0/24', '192.88.99.0', RESERVED],
  ['192.88.99.0/24', '192.88.99.255', RESERVED],
  ['192.168.0.0/16', '192.168.0.0', PRIVATE],
  ['192.168.0.0/16', '192.168.255.255', PRIVATE],
  ['198.18.0.0/15', '198.18.0.0', RESERVED],
  ['198.18.0.0/15', '198.19.255.255', RESERVED],
  ['198.51.100.0/24', '198.51.100.0', RESERVED],
  ['198.51.100.0/24', '198.51.100.255', RESERVED],
  ['203.0.113.0/24', '203.0.113.0', RESERVED],
  ['203.0.113.0/24', '203.0.113.255', RESERVED],
  ['224.0.0.0/4', '224.0.0.0', 'a multicast address'],
  ['224.0.0.0/4', '239.255.255.255', 'a multicast address'],
  ['240.0.0.0/4', '240.0.0.0', RESERVED],
  ['240.0.0.0/4', '255.255.255.254', RESERVED],
  ['255.255.255.255/32', '255.255.255.255', 'the broadcast address'],
];

/** The public neighbours of those ranges, and globally reachable special ones (AS112, AMT). */
const PUBLIC_V4 = [
  '1.1.1.1',
  '9.255.255.255',
  '11.0.0.0',
  '93.184.216.34',
  '100.63.255.255',
  '100.128.0.0',
  '126.255.255.255',
  '128.0.0.0',
  '169.253.255.255',
  '169.255.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.0.1.255',
  '192.0.3.0',
  '192.31.196.1',
  '192.52.193.1',
  '192.88.98.255',
  '192.88.100.0',
  '192.167.255.255',
  '192.169.0.0',
  '192.175.48.1',
  '198.17.255.255',
  '198.20.0.0',
  '198.51.99.255',
  '198.51.101.0',
  '203.0.112.255',
  '203.0.114.0',
  '223.255.255.255',
];

const carrying = (form: string, v4: string, why: string) => `${form} carrying ${v4}, ${why}`;

/** The IPv6 registry's ranges that are not globally reachable, and the IPv4-carrying forms. */
const REFUSED_V6: [string, string, string][] = [
  ['::/128', '::', 'an unspecified address'],
  ['::1/128', '::1', LOOPBACK],
  [
    '::/96 IPv4-compatible',
    '::7f00:1',
    carrying('an IPv4-compatible address', '127.0.0.1', LOOPBACK),
  ],
  ['::/96 IPv4-compatible', '::a00:1', carrying('an IPv4-compatible address', '10.0.0.1', PRIVATE)],
  ['::/96 IPv4-compatible', '::5db8:d822', 'an IPv4-compatible address'],
  [
    '::ffff:0:0/96 mapped',
    '::ffff:7f00:1',
    carrying('an IPv4-mapped address', '127.0.0.1', LOOPBACK),
  ],
  [
    '::ffff:0:0/96 mapped',
    '::ffff:c000:202',
    carrying('an IPv4-mapped address', '192.0.2.2', RESERVED),
  ],
  ['::ffff:0:0/96 mapped', '::ffff:5db8:d822', 'an IPv4-mapped address'],
  [
    '::ffff:0:0:0/96 translated',
    '::ffff:0:7f00:1',
    carrying('an IPv4-translated address', '127.0.0.1', LOOPBACK),
  ],
  ['64:ff9b::/96 NAT64', '64:ff9b::7f00:1', carrying('a NAT64 address', '127.0.0.1', LOOPBACK)],
  [
    '64:ff9b::/96 NAT64',
    '64:ff9b::a9fe:a9fe',
    carrying('a NAT64 address', '169.254.169.254', 'a link-local address'),
  ],
  [
    '64:ff9b::/96 NAT64',
    '64:ff9b::c633:6407',
    carrying('a NAT64 address', '198.51.100.7', RESERVED),
  ],
  ['64:ff9b:1::/48 NAT64', '64:ff9b:1::1', 'a local-use NAT64 address'],
  ['64:ff9b:1::/48 NAT64', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'a local-use NAT64 address'],
  ['100::/64', '100::1', 'a discard-only address'],
  ['100::/64', '100::ffff:ffff:ffff:ffff', 'a discard-only address'],
  ['100:0:0:1::/64', '100:0:0:1::1', 'an address outside the global unicast space (2000::/3)'],
  ['2001::/23', '2001:1::1', RESERVED],
  ['2001::/23', '2001:100::1', RESERVED],
  ['2001::/23', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', RESERVED],
  ['2001::/32 Teredo', '2001::1', 'a Teredo address'],
  ['2001:2::/48', '2001:2::1', 'a benchmarking address'],
  ['2001:10::/28', '2001:10::1', 'an ORCHID identifier, not an address'],
  ['2001:20::/28', '2001:20::1', 'an ORCHID identifier, not an address'],
  ['2001:30::/28', '2001:30::1', 'a drone entity tag, not an address'],
  ['2001:db8::/32', '2001:db8::1', RESERVED],
  ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', RESERVED],
  ['2002::/16 6to4', '2002:7f00:1::', carrying('a 6to4 address', '127.0.0.1', LOOPBACK)],
  ['2002::/16 6to4', '2002:c0a8:101::1', carrying('a 6to4 address', '192.168.1.1', PRIVATE)],
  ['2002::/16 6to4', '2002:5db8:d822::1', 'a 6to4 address'],
  ['3fff::/20', '3fff::1', RESERVED],
  ['5f00::/16', '5f00::1', 'a segment-routing identifier, not an address'],
  ['fc00::/7', 'fc00::1', 'a unique-local (private) address'],
  ['fc00::/7', 'fd00::2', 'a unique-local (private) address'],
  ['fc00::/7', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'a unique-local (private) address'],
  ['fe80::/10', 'fe80::1', 'a link-local address'],
  ['fe80::/10', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'a link-local address'],
  ['fec0::/10', 'fec0::1', 'a site-local address'],
  ['fec0::/10', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'a site-local address'],
  ['ff00::/8', 'ff02::1', 'a multicast address'],
  ['ff00::/8', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'a multicast address'],
  ['outside 2000::/3', '1::1', 'an address outside the global unicast space (2000::/3)'],
  ['outside 2000::/3', '4000::1', 'an address outside the global unicast space (2000::/3)'],
];

const PUBLIC_V6 = [
  '2606:2800:220:1:248:1893:25c8:1946',
  '2001:4860:4860::8888',
  '2001:200::1',
  '2001:3::1',
  '2001:4:112::1',
  '2620:4f:8000::1',
  // The well-known NAT64 prefix before a public IPv4 address (DNS64 answers this way).
  '64:ff9b::5db8:d822',
];

describe('addressRefusal', () => {
  it.each(REFUSED_V4)('refuses %s: %s is %s', (_range, ip, why) => {
    expect(addressRefusal(ip, LOOPBACK_ONLY)).toBe(why);
  });

  it.each(REFUSED_V6)('refuses %s: %s is %s', (_range, ip, why) => {
    expect(addressRefusal(ip, LOOPBACK_ONLY)).toBe(why);
  });

  it('lets public addresses through, the neighbours of every refused range included', () => {
    for (const ip of [...PUBLIC_V4, ...PUBLIC_V6]) {
      expect([ip, addressRefusal(ip, LOOPBACK_ONLY)]).toEqual([ip, null]);
    }
  });

  it("refuses the host's own interface addresses, public ones and the IPv6 forms carrying them", () => {
    const host: Interfaces = () => ({
      lo: [iface('127.0.0.1'), iface('::1')],
      eth0: [iface('93.184.216.34'), iface('2606:2800:220:1::7')],
    });
    const own = 'an address of this host';
    expect(addressRefusal('93.184.216.34', host)).toBe(own);
    expect(addressRefusal('2606:2800:220:1::7', host)).toBe(own);
    expect(addressRefusal('2606:2800:220:1:0:0:0:7', host)).toBe(own);
    expect(addressRefusal('64:ff9b::5db8:d822', host)).toBe(
      carrying('a NAT64 address', '93.184.216.34', own),
    );
    expect(addressRefusal('::ffff:5db8:d822', host)).toBe(
      carrying('an IPv4-mapped address', '93.184.216.34', own),
    );
    // Its neighbours are someone else's.
    expect(addressRefusal('93.184.216.35', host)).toBeNull();
    expect(addressRefusal('2606:2800:220:1::8', host)).toBeNull();
  });

  it("refuses every address of this machine's real interfaces, by default", () => {
    const all = Object.values(networkInterfaces())
      .flatMap((infos) => infos ?? [])
      .map((i) => i.address);
    expect(all.length).toBeGreaterThan(0);
    for (const ip of all) {
      expect([ip, addressRefusal(ip)]).toEqual([ip, expect.any(String)]);
    }
  });

  it('refuses what is not an IP address', () => {
    expect(addressRefusal('localhost', LOOPBACK_ONLY)).toBe('not an IP address');
    expect(addressRefusal('0x7f.1', LOOPBACK_ONLY)).toBe('not an IP address');
  });
});

describe('webhookUrlProblem', () => {
  const problem = (url: string, resolve = noDns, interfaces = LOOPBACK_ONLY) =>
    webhookUrlProblem(url, false, resolve, interfaces);

  it.each([
    // IPv4 in the notations the URL parser turns into dotted decimal.
    ['http://2130706433/', '127.0.0.1', LOOPBACK],
    ['http://0x7f.1/', '127.0.0.1', LOOPBACK],
    ['http://0x7f000001/hooks', '127.0.0.1', LOOPBACK],
    ['http://0177.0.0.1/', '127.0.0.1', LOOPBACK],
    ['http://017700000001/', '127.0.0.1', LOOPBACK],
    ['http://127.1/', '127.0.0.1', LOOPBACK],
    ['http://127.0.0.1./', '127.0.0.1', LOOPBACK],
    ['http://%31%32%37.0.0.1/', '127.0.0.1', LOOPBACK],
    ['http://3232235777:8080/x', '192.168.1.1', PRIVATE],
    ['http://0xa9.0xfe.0xa9.0xfe/latest', '169.254.169.254', 'a link-local address'],
    ['http://0/', '0.0.0.0', 'an unspecified address'],
    ['https://192.0.2.2:3000/health', '192.0.2.2', RESERVED],
    ['http://0xffffffff/', '255.255.255.255', 'the broadcast address'],
    // Bracketed IPv6, dotted or hex, the IPv4 it carries checked.
    ['http://[::1]:3000/health', '::1', LOOPBACK],
    ['http://[0:0:0:0:0:0:0:1]/', '::1', LOOPBACK],
    ['http://[::]/', '::', 'an unspecified address'],
    [
      'http://[::ffff:127.0.0.1]/',
      '::ffff:7f00:1',
      carrying('an IPv4-mapped address', '127.0.0.1', LOOPBACK),
    ],
    [
      'http://[0:0:0:0:0:ffff:7f00:1]/',
      '::ffff:7f00:1',
      carrying('an IPv4-mapped address', '127.0.0.1', LOOPBACK),
    ],
    [
      'http://[::127.0.0.1]/',
      '::7f00:1',
      carrying('an IPv4-compatible address', '127.0.0.1', LOOPBACK),
    ],
    [
      'http://[::ffff:0:127.0.0.1]/',
      '::ffff:0:7f00:1',
      carrying('an IPv4-translated address', '127.0.0.1', LOOPBACK),
    ],
    [
      'http://[64:ff9b::127.0.0.1]/',
      '64:ff9b::7f00:1',
      carrying('a NAT64 address', '127.0.0.1', LOOPBACK),
    ],
    [
      'http://[64:ff9b::10.0.0.1]/',
      '64:ff9b::a00:1',
      carrying('a NAT64 address', '10.0.0.1', PRIVATE),
    ],
    ['http://[2002:7f00:1::]/', '2002:7f00:1::', carrying('a 6to4 address', '127.0.0.1', LOOPBACK)],
    [
      'http://[2002:c000:0202::1]/',
      '2002:c000:202::1',
      carrying('a 6to4 address', '192.0.2.2', RESERVED),
    ],
    ['http://[fec0::1]/', 'fec0::1', 'a site-local address'],
    ['http://[fd00::2]:3000/', 'fd00::2', 'a unique-local (private) address'],
  ])('refuses %s: it points at %s, %s', async (url, ip, why) => {
    expect(await problem(url)).toBe(`points at ${ip}, ${why}`);
  });

  it.each([
    'https://93.184.216.34/hooks',
    'http://1572395042/',
    'http://[2606:2800:220:1::1]/hooks',
    'http://[64:ff9b::93.184.216.34]/hooks',
  ])('lets %s through', async (url) => {
    expect(await problem(url)).toBeNull();
  });

  it('checks every address a name resolves to, against the same policy', async () => {
    const answering =
      (...addresses: string[]) =>
      async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    for (const [, ip, why] of [...REFUSED_V4, ...REFUSED_V6]) {
      const found = await problem('https://hooks.example.com/x', answering('93.184.216.34', ip));
      expect([ip, found]).toEqual([ip, `points at ${ip}, ${why}`]);
    }
    expect(
      await problem('https://hooks.example.com/x', answering('93.184.216.34', '2001:3::1')),
    ).toBeNull();
  });

  it("refuses a URL naming the host's own public address (the service posting to itself)", async () => {
    const host: Interfaces = () => ({ eth0: [iface('93.184.216.34')] });
    expect(await problem('http://93.184.216.34:3000/health', noDns, host)).toBe(
      'points at 93.184.216.34, an address of this host',
    );
  });

  it('allows any address when the operator says so', async () => {
    expect(await webhookUrlProblem('http://127.0.0.1:9/x', true, noDns)).toBeNull();
  });
});
