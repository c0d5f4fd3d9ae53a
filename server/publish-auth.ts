import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from './config.js';
import { sendError } from './http-error.js';
import { notLocalBecause } from './identity.js';

type PublishConfig = Pick<Config, 'PUBLISH_TOKEN' | 'DEMO' | 'PUBLISH_ALLOW_LOOPBACK'>;

/** Who may publish without a token: loopback callers in the demo or when opted in, else no one. */
function loopbackMayPublish(config: PublishConfig): boolean {
  return !config.PUBLISH_TOKEN && (config.DEMO || config.PUBLISH_ALLOW_LOOPBACK);
}

/** How publishing is guarded, for the start banner. */
export function publishAuthMode(config: PublishConfig): string {
  if (config.PUBLISH_TOKEN) return 'publish: bearer token';
  if (loopbackMayPublish(config)) return `publish: callers on this machine without a token (${config.DEMO ? 'the demo' : 'PUBLISH_ALLOW_LOOPBACK=1'}; set PUBLISH_TOKEN to publish from elsewhere)`;
  return 'publish: off (set PUBLISH_TOKEN, or PUBLISH_ALLOW_LOOPBACK=1 for callers on this machine)';
}

/** Equal-length digests compared in constant time, so neither length nor content leaks through timing. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * With PUBLISH_TOKEN: requires `Authorization: Bearer <token>` (401 otherwise).
 * Without it, in the demo or with PUBLISH_ALLOW_LOOPBACK: only callers on this machine, not relayed
 * by a proxy, asking for a loopback Host (403 otherwise). Otherwise publishing is off (403).
 */
export function requirePublisher(config: PublishConfig): RequestHandler {
  return (req, res, next) => {
    const token = config.PUBLISH_TOKEN;
    if (!token) {
      if (!loopbackMayPublish(config)) {
        return sendError(res, 403, 'forbidden', 'publishing is off: set PUBLISH_TOKEN on the relay and send Authorization: Bearer <token> (or PUBLISH_ALLOW_LOOPBACK=1 to let callers on the relay\'s own machine publish without one)');
      }
      const why = notLocalBecause(req);
      if (why === null) return next();
      return sendError(res, 403, 'forbidden', `without PUBLISH_TOKEN only callers on the relay's own machine may publish (loopback, not through a proxy, Host localhost/127.0.0.1/[::1]); this request is refused because ${why}. Set PUBLISH_TOKEN on the relay and send Authorization: Bearer <token>`);
    }
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'unauthorized', 'send Authorization: Bearer <PUBLISH_TOKEN>');
    }
    if (!secretsEqual(m[1].trim(), token)) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return sendError(res, 401, 'unauthorized', 'the bearer token does not match PUBLISH_TOKEN');
    }
    next();
  };
}
