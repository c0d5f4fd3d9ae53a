import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { sendError } from './http-error.js';

/**
 * CORS by an allowlist of origins (CORS_ORIGINS). `*` allows any origin, only when configured so.
 * A disallowed origin gets no CORS headers (the browser then blocks it); same-origin requests and
 * non-browser callers send no Origin and are unaffected.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const allow = corsHeaders(origins);
  return (req, res, next) => {
    if (allow(req, res)) {
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Last-Event-ID, Cache-Control');
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

/**
 * The allowlist check alone, for plain node:http handlers (the SSE route): sets `Vary: Origin` and,
 * for an allowed origin, `Access-Control-Allow-Origin`; true when the origin is allowed.
 */
export function corsHeaders(origins: readonly string[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { any, allowed } = allowlist(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    const vary = res.getHeader('Vary');
    if (vary === undefined) res.setHeader('Vary', 'Origin');
    else if (!/(^|,)\s*(origin|\*)\s*(,|$)/i.test(String(vary))) res.setHeader('Vary', `${String(vary)}, Origin`);
    if (!origin || !(any || allowed.has(origin))) return false;
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    return true;
  };
}

/**
 * Refuses (403) a request whose `Origin` is neither in CORS_ORIGINS (`*` allows any) nor the
 * relay's own origin (same host as `Host`). Browsers send a cross-site form or `no-cors` fetch
 * without a preflight, so CORS alone does not stop a page on another site from writing; this does.
 * Callers that are not browsers send no Origin and pass.
 */
export function refuseForeignOrigin(origins: readonly string[]): RequestHandler {
  const { any, allowed } = allowlist(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || any || allowed.has(origin) || sameOrigin(origin, req.headers.host)) return next();
    sendError(res, 403, 'forbidden', `the page at origin ${JSON.stringify(origin.slice(0, 200))} may not write to this relay: add it to CORS_ORIGINS, or send the request from the relay's own origin or from a server (no Origin header)`);
  };
}

/** True when `origin` names the host (and port) the request was sent to. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file:) and anything unparsable
  }
  const defaultPort = url.protocol === 'https:' ? ':443' : ':80';
  const bare = host.toLowerCase().endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host;
  return url.host === bare.toLowerCase();
}

/** CORS_ORIGINS as a check: `*` allows any origin; the others are compared without a trailing slash. */
function allowlist(origins: readonly string[]): { any: boolean; allowed: ReadonlySet<string> } {
  return { any: origins.includes('*'), allowed: new Set(origins.map((o) => o.replace(/\/+$/, ''))) };
}
