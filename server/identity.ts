import type { IncomingMessage } from 'node:http';
import { readerOf } from './auth/reader-auth.js';

/**
 * Who a request counts as for MAX_CLIENTS_PER_IDENTITY: a token holder by its `sub` (however many
 * addresses it connects from), anyone else by the client's address. The prefixes keep a `sub`
 * that looks like an address from sharing an anonymous reader's count.
 */
export function identityOf(req: IncomingMessage): string {
  const sub = readerOf(req)?.sub;
  if (sub) return `sub:${sub}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** True for callers on this machine (127.0.0.0/8 or ::1, also in their IPv4-mapped form). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  if (address === '::1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
