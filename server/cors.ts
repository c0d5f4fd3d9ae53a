import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

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
  const any = origins.includes('*');
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
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
