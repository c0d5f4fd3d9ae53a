import type { IncomingMessage } from 'node:http';
import { readerOf } from './auth/reader-auth.js';

/**
 * Who a request counts as for MAX_CLIENTS_PER_IDENTITY: a token holder by its `sub` (however many
 * addresses it connects from), anyone else by the client's address (see {@link clientAddress}).
 * The prefixes keep a `sub` that looks like an address from sharing an anonymous reader's count.
 */
export function identityOf(req: IncomingMessage, trustProxy: number): string {
  const sub = readerOf(req)?.sub;
  if (sub) return `sub:${sub}`;
  return `addr:${clientAddress(req, trustProxy)}`;
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
 * True for a caller on this machine that did not come through a proxy: a loopback peer
 * (127.0.0.0/8 or ::1, also IPv4-mapped) and no `X-Forwarded-For`/`Forwarded` header. A proxy on the
 * same machine connects from loopback too; what it relays comes from elsewhere and must not pass
 * for local (publishing without PUBLISH_TOKEN, the drive page's secrets).
 */
export function isLocalCaller(req: IncomingMessage): boolean {
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined) return false;
  return isLoopback(req.socket.remoteAddress);
}

/** True for loopback addresses (127.0.0.0/8 or ::1, also in their IPv4-mapped form). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
