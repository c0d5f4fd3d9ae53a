import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { readerOf } from './auth/reader-auth.js';

/**
 * Who a request counts as for MAX_CLIENTS_PER_IDENTITY: a token holder by its `sub` (however many
 * addresses it connects from), anyone else by the client's address (see {@link clientAddress}),
 * an IPv6 one by its network prefix (see {@link addressIdentity}). The prefixes keep a `sub` that
 * looks like an address from sharing an anonymous reader's count.
 */
export function identityOf(req: IncomingMessage, trustProxy: number, ipv6PrefixBits = 64): string {
  const sub = readerOf(req)?.sub;
  if (sub) return `sub:${sub}`;
  return `addr:${addressIdentity(clientAddress(req, trustProxy), ipv6PrefixBits)}`;
}

/**
 * The part of an address that names one visitor. An IPv4 address (also IPv4-mapped) is itself; an
 * IPv6 address is its first `prefixBits` bits, as `<prefix>/<bits>`: a subscriber usually gets a
 * whole /64, so counting full addresses would hand one visitor 2^64 identities.
 */
export function addressIdentity(address: string, prefixBits: number): string {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1];
  const groups = ipv6Groups(bare);
  const out: string[] = [];
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, prefixBits - i * 16));
    out.push((keep === 0 ? 0 : groups[i] & (0xffff << (16 - keep)) & 0xffff).toString(16));
  }
  return `${out.join(':')}/${prefixBits}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16));
}

/**
 * The client's address. With `trustProxy` = 0 it is the socket's peer; behind N proxies (a load
 * balancer: TRUST_PROXY=1) it is the address the Nth proxy saw, read from `X-Forwarded-For` right to
 * left. Entries further left were written by the client itself and are never believed.
 */
export function clientAddress(req: IncomingMessage, trustProxy: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Nearest first: the socket's peer, then each address a proxy appended, from the right.
  const chain = [peer, ...forwarded.reverse()];
  return chain[Math.min(trustProxy, chain.length - 1)];
}

/**
 * True for a caller on this machine that did not come through a proxy and asked for this machine
 * by name (see {@link notLocalBecause}).
 */
export function isLocalCaller(req: IncomingMessage): boolean {
  return notLocalBecause(req) === null;
}

/**
 * Why a request does not count as a caller on this machine, or null when it does: it needs a
 * loopback peer (127.0.0.0/8 or ::1, also IPv4-mapped), no `X-Forwarded-For`/`Forwarded`/`X-Real-IP`
 * header, and a loopback `Host`. A proxy on the same machine connects from loopback too; what it
 * relays comes from elsewhere and must not pass for local. A page on another site that a DNS
 * rebinding points at 127.0.0.1 comes from loopback as well, but its `Host` is that site's name.
 */
export function notLocalBecause(req: IncomingMessage): string | null {
  for (const name of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
    if (req.headers[name] !== undefined) return `it came through a proxy (${name} header)`;
  }
  if (!isLoopback(req.socket.remoteAddress)) return `it came from ${req.socket.remoteAddress ?? 'an unknown address'}, not loopback`;
  const host = req.headers.host ?? '';
  if (!isLoopbackHost(host)) return `its Host ${JSON.stringify(host.slice(0, 100))} is not localhost, 127.0.0.1 or [::1]`;
  return null;
}

/** True for a `Host` header naming this machine by loopback: localhost, 127.0.0.1 or [::1], any port. */
export function isLoopbackHost(host: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i.test(host.trim());
}

/** True for loopback addresses (127.0.0.0/8 or ::1, also in their IPv4-mapped form). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
