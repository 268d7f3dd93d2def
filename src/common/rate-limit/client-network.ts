import { isIPv4, isIPv6 } from 'node:net';

/** Where a request comes from, as the public rate limits count it. */
export interface ClientNetwork {
  /** The address itself (IPv4-mapped IPv6 addresses are written as IPv4). */
  readonly address: string;
  /** Its /24 (IPv4) or /64 (IPv6): one subscriber or one office, whatever the single address. */
  readonly network: string;
}

/**
 * The address and network of `ip` (`req.ip`, which honours TRUST_PROXY). Something that is not an IP
 * address (a Unix socket, a broken proxy header) is its own network.
 */
export function clientNetwork(ip: string): ClientNetwork {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare)?.[1];
  const v4 = mapped ?? (isIPv4(bare) ? bare : undefined);
  if (v4) return { address: v4, network: `${v4.split('.').slice(0, 3).join('.')}.0/24` };
  if (isIPv6(bare)) {
    const groups = expandIpv6(bare);
    return { address: groups.join(':'), network: `${groups.slice(0, 4).join(':')}::/64` };
  }
  return { address: ip, network: ip };
}

/** The eight 16-bit groups of an IPv6 address, lower-case, without leading zeros. */
function expandIpv6(ip: string): string[] {
  let text = ip.toLowerCase();
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)?.[1];
  if (tail) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = text.slice(0, -tail.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const fill = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}
