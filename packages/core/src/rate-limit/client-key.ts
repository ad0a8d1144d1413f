import { isIPv4, isIPv6 } from 'node:net';

/** Options of {@link clientKey}. */
export interface ClientKeyOptions {
  /**
   * How many leading bits of an IPv6 address name one client (1–128). Default 64: one
   * subnet is what a single customer line, host or VM is given, so an attacker who owns a
   * /64 still gets one bucket, not 2^64.
   */
  ipv6Prefix?: number;
}

/** The bucket every client whose address is missing or not an IP address shares. */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * Turns the host's notion of the client IP into the key its rate-limit buckets and lockout
 * counters use, so that one client cannot get fresh buckets by spelling its address another
 * way (docs/guides/security.md, "Rate limits"):
 *
 * - IPv4 stays dotted decimal: `203.0.113.9`;
 * - an IPv4-mapped IPv6 address (`::ffff:203.0.113.9`, `::FFFF:cb00:7109`) is that IPv4;
 * - any other IPv6 address (any case, any zero-run spelling, a zone id) is its first
 *   `ipv6Prefix` bits in RFC 5952 form plus the length: `2001:db8:0:1::/64`;
 * - anything else (missing, a host name, a forged header value) is {@link UNKNOWN_CLIENT}.
 *
 * @example
 * clientKey('2001:DB8:0:1:0:0:0:FFFF'); // '2001:db8:0:1::/64'
 * clientKey('::ffff:192.0.2.1');         // '192.0.2.1'
 */
export function clientKey(ip: string | null | undefined, options: ClientKeyOptions = {}): string {
  if (typeof ip !== 'string') return UNKNOWN_CLIENT;
  const text = ip.trim();
  if (isIPv4(text)) return text;
  // A zone id (`fe80::1%eth0`) names the local interface, not the client.
  const address = text.split('%', 1)[0] as string;
  if (!isIPv6(address)) return UNKNOWN_CLIENT;
  const groups = ipv6Groups(address);
  if (isIPv4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  const prefix = Math.min(128, Math.max(1, Math.trunc(options.ipv6Prefix ?? 64)));
  return `${formatIpv6(mask(groups, prefix))}/${prefix}`;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes two). */
function ipv6Groups(address: string): number[] {
  const lower = address.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(lower);
  const hex = tail
    ? `${lower.slice(0, tail.index)}${((+tail[1]! << 8) | +tail[2]!).toString(16)}:${((+tail[3]! << 8) | +tail[4]!).toString(16)}`
    : lower;
  const [head, rest] = hex.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function isIPv4Mapped(groups: number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

/** Keeps the first `prefix` bits of the address, zeroing the rest. */
function mask(groups: number[], prefix: number): number[] {
  return groups.map((group, index) => {
    const bits = Math.min(16, Math.max(0, prefix - index * 16));
    return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
  });
}

/** RFC 5952: lower-case hex without leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start += 1) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length += 1;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
