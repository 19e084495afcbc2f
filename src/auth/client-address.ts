import { isIP } from 'node:net';

/**
 * The address a sign-in is counted and remembered under: an IPv4 address as is (an IPv4-mapped
 * IPv6 address as its IPv4 form), an IPv6 address as its /64 network, since one subscriber
 * holds a whole /64 (rotating within it must not reset a count, and privacy addresses that
 * change daily stay known). Anything unreadable is kept as is, cut to 64 characters.
 */
export function addressKey(raw: string | undefined): string {
  const ip = (raw ?? '').trim();
  const zoneless = ip.includes('%') ? ip.slice(0, ip.indexOf('%')) : ip;
  const family = isIP(zoneless);
  if (family === 4) return zoneless;
  if (family !== 6) return ip.slice(0, 64) || 'unknown';
  const groups = expandIpv6(zoneless);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` and a trailing dotted IPv4 allowed). */
function expandIpv6(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text =
      text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined): number[] =>
    part ? part.split(':').map((g) => parseInt(g, 16)) : [];
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}
