import { BlockList, isIP, isIPv4 } from 'node:net';
import { type ChatPlatform, chatKindProblem, chatUrlProblem } from './chat-url';

/*
 * Every URL a customer gives us is a door into our network (server-side request forgery). An endpoint is
 * an https URL on port 443 or 8443 whose host is a public name or address: never loopback, private,
 * link-local (the cloud's metadata service at 169.254.169.254 among them), CGNAT, multicast, reserved or
 * unspecified, nor an IPv6 form that embeds one of those, nor an address spelled in decimal, octal or hex
 * that a parser would quietly turn into one. The name is checked again at each send, against every
 * address it resolves to (see the endpoint client), and the connection goes to the address checked.
 */

/** Addresses no endpoint may have: everything that is not the public internet (RFC 6890 and friends). */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, instance metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
/** IPv6's public unicast space: 2000::/3, less the documentation, protocol and 6to4 blocks inside it. */
const GLOBAL_UNICAST_V6 = new BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');
const RESERVED_IN_GLOBAL_V6 = new BlockList();
for (const [network, prefix] of [
  ['2001::', 23], // IETF protocol assignments, Teredo among them
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: an IPv4 address inside
] as const)
  RESERVED_IN_GLOBAL_V6.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address an IPv6 one carries: IPv4-mapped (`::ffff:a.b.c.d`), -compatible (`::a.b.c.d`), NAT64. */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const head = groups.slice(0, 6).map((g) => Number.parseInt(g, 16));
  const mapped = head.slice(0, 5).every((g) => g === 0) && (head[5] === 0xffff || head[5] === 0);
  const nat64 = head[0] === 0x64 && head[1] === 0xff9b && head.slice(2).every((g) => g === 0);
  if (!mapped && !nat64) return undefined;
  const [high = 0, low = 0] = groups.slice(6).map((g) => Number.parseInt(g, 16));
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** An IPv6 address as its eight groups of hex digits, or undefined when it is not one. */
function expandIpv6(address: string): string[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    text = text.replace(dotted[1], `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
  }
  const [left = '', right] = text.split('::');
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  const zeros = right === undefined ? [] : Array(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail];
}

/** Whether an address (v4 or v6) is on the public internet, and so may be connected to for a customer. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  const inner = embeddedIpv4(address);
  if (inner !== undefined) return false; // an IPv4 address in IPv6 clothing is refused whatever it is
  const bare = address.replace(/%.*$/, '');
  return GLOBAL_UNICAST_V6.check(bare, 'ipv6') && !RESERVED_IN_GLOBAL_V6.check(bare, 'ipv6');
}

/** Loopback, which the local stack and tests may use for their receivers (`CHANNELS_ALLOW_LOOPBACK`). */
export const isLoopback = (address: string) =>
  (isIPv4(address) && address.startsWith('127.')) || address === '::1';

export type EndpointCheck = { ok: true; url: URL } | { ok: false; problem: string };

const ALLOWED_PORTS = ['', '443', '8443'];

/**
 * Checks a URL a customer gave as an endpoint, before any lookup: a webhook's may be no chat platform's,
 * a chat channel's (`kind`) must be its platform's. With `allowLoopback` (the local stack and tests, never
 * in AWS) `http://127.0.0.1:<port>` is allowed too, for every kind, so that local receivers can stand in.
 */
export function checkEndpointUrl(
  input: string,
  options: { allowLoopback: boolean; kind?: 'webhook' | ChatPlatform },
): EndpointCheck {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, problem: 'not a URL: give the full address, starting https://' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (options.allowLoopback && url.protocol === 'http:' && isLoopback(host) && spelledAsWritten(input, url))
    return { ok: true, url };
  if (url.protocol !== 'https:')
    return { ok: false, problem: 'must start https://: updates are sent encrypted' };
  if (url.username || url.password)
    return { ok: false, problem: 'must not carry a user name or password: put a token in the path instead' };
  if (!ALLOWED_PORTS.includes(url.port))
    return { ok: false, problem: 'must use port 443 (the default) or 8443' };
  if (!spelledAsWritten(input, url))
    return { ok: false, problem: 'spells an address in decimal, octal or hex: write the host name' };
  if (isIP(host)) {
    return isPublicAddress(host) || (options.allowLoopback && isLoopback(host))
      ? { ok: true, url }
      : { ok: false, problem: 'must be a public address, not a private, local or reserved one' };
  }
  if (!host.includes('.') || /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i.test(host))
    return { ok: false, problem: 'must be a public host name, not a local one' };
  // A webhook takes our events, which a chat platform cannot read; a chat channel, its platform's URL.
  const kind = options.kind ?? 'webhook';
  const problem = kind === 'webhook' ? chatUrlProblem(url) : chatKindProblem(url, kind);
  return problem ? { ok: false, problem } : { ok: true, url };
}

/**
 * Whether the host reads as written: URL parsing turns `0x7f.1`, `2130706433` or `0177.0.0.1` into
 * `127.0.0.1`, which a check of the written name would miss.
 */
function spelledAsWritten(input: string, url: URL): boolean {
  if (!isIPv4(url.hostname)) return true;
  const written = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#:]*)/i.exec(input.trim())?.[1] ?? '';
  return written.toLowerCase() === url.hostname;
}

/** The URL as pages show it: the origin and path with every part that may be a token masked. */
export function maskedEndpoint(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname
      .split('/')
      // Any part after the first may be a token, whatever it looks like: only its start is shown.
      .map((part, index) => (index >= 2 && part.length > 3 ? `${part.slice(0, 2)}…` : part))
      .join('/');
    return `${parsed.origin}${path}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}
