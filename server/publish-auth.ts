import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from './config.js';
import { sendError } from './http-error.js';
import { isLocalCaller } from './identity.js';

/** How publishing is guarded, for the start banner. */
export function publishAuthMode(config: Config): string {
  return config.PUBLISH_TOKEN ? 'publish: bearer token' : 'publish: loopback only (set PUBLISH_TOKEN to publish from elsewhere)';
}

/** Equal-length digests compared in constant time, so neither length nor content leaks through timing. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * With PUBLISH_TOKEN: requires `Authorization: Bearer <token>` (401 otherwise).
 * Without it: only callers on this machine, not relayed by a proxy, may publish (403 otherwise).
 */
export function requirePublisher(config: Config): RequestHandler {
  return (req, res, next) => {
    const token = config.PUBLISH_TOKEN;
    if (!token) {
      if (isLocalCaller(req)) return next();
      return sendError(res, 403, 'forbidden', 'publishing is open to callers on the relay\'s own machine only (loopback, not through a proxy) because PUBLISH_TOKEN is not set; set PUBLISH_TOKEN on the relay and send Authorization: Bearer <token>');
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
