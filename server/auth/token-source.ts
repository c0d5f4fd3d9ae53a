import type { IncomingHttpHeaders } from 'node:http';

/** Where a subscriber token came from, strongest first. */
export type TokenSource = 'header' | 'cookie' | 'query';

/** The name of the HttpOnly cookie a same-site page may set instead of sending a header. */
export const TOKEN_COOKIE = 'live_token';

/**
 * The request's subscriber token, looked for in this order: `Authorization: Bearer`, the
 * `live_token` cookie, the `token` query parameter (the weakest: URLs end up in proxy logs and
 * browser history; it exists for a plain EventSource, which cannot send headers).
 */
export function tokenFrom(headers: IncomingHttpHeaders, query: Readonly<Record<string, unknown>>): { token: string; source: TokenSource } | null {
  const header = headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    // A malformed Authorization header is still "a token was sent": verifying it fails with a 401.
    return { token: m ? m[1] : header, source: 'header' };
  }
  const cookie = cookieValue(headers.cookie, TOKEN_COOKIE);
  if (cookie) return { token: cookie, source: 'cookie' };
  const q = query.token;
  if (typeof q === 'string' && q !== '') return { token: q, source: 'query' };
  return null;
}

/** One cookie's value from a `Cookie` header, or null. */
function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value) || null;
    } catch {
      return value || null;
    }
  }
  return null;
}
