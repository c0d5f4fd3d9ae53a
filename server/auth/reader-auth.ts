import { Router, type Request, type RequestHandler } from 'express';
import { keyError, parseSelectors, topicError, type Selector } from '../../src/core/wire.js';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';
import { SubscriberAuth, type TokenReader } from './subscriber-auth.js';
import { tokenFrom } from './token-source.js';

const readers = new WeakMap<Request, TokenReader>();

/** The verified token reader of a request that passed {@link readerAuth}; undefined for anonymous readers. */
export function readerOf(req: Request): TokenReader | undefined {
  return readers.get(req);
}

/**
 * Guards every read route — the stream, snapshots and series — with one check, so there is no side
 * door: each route's selectors are derived here exactly as the route parses them. A request whose
 * selectors do not parse passes on to its route, which answers 400 without reading anything.
 * Mounted before the routes in app.ts.
 */
export function readerAuth(ctx: RelayContext, auth = new SubscriberAuth(ctx.config)): Router {
  const router = Router();
  router.get('/v1/events', guard(ctx, auth, (req) => {
    const topics = typeof req.query.topics === 'string' ? req.query.topics : '';
    try {
      return parseSelectors(topics);
    } catch {
      return null;
    }
  }));
  router.get('/v1/topics/:topic', guard(ctx, auth, (req) => {
    const topic = req.params.topic as string;
    if (topicError(topic)) return null;
    if (req.query.keys === undefined) return [{ topic }];
    if (typeof req.query.keys !== 'string') return null;
    const keys = req.query.keys.split(',').map((k) => k.trim());
    if (keys.some((k) => keyError(k))) return null;
    // A token for `services/api-1` may read the snapshot narrowed to that key.
    return keys.map((key) => ({ topic, key }));
  }));
  router.get('/v1/series/:topic/*key', guard(ctx, auth, (req) => {
    const topic = req.params.topic as string;
    const rawKey = req.params.key as unknown;
    const key = Array.isArray(rawKey) ? rawKey.join('/') : String(rawKey);
    if (topicError(topic) || keyError(key)) return null;
    return [{ topic, key }];
  }));
  return router;
}

function guard(ctx: RelayContext, auth: SubscriberAuth, selectorsOf: (req: Request) => Selector[] | null): RequestHandler {
  return async (req, res, next) => {
    if (!auth.enabled) return next();
    const wanted = selectorsOf(req);
    if (wanted === null) return next();
    const found = tokenFrom(req);
    const decision = await auth.authorize(found?.token ?? null, wanted);
    // Logged: the route and what was asked, never the token or the URL (its query may hold the token).
    if (!decision.ok) {
      ctx.metrics.readersRefused.inc({ reason: decision.reason });
      ctx.log.debug({ route: req.route?.path, reason: decision.reason, tokenSource: found?.source ?? null }, 'reader refused');
      if (decision.status === 401) res.setHeader('WWW-Authenticate', decision.reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"');
      return sendError(res, decision.status, decision.code, decision.message, decision.selectors ? { selectors: [...decision.selectors] } : undefined);
    }
    if (decision.reader) readers.set(req, decision.reader);
    ctx.log.debug({ route: req.route?.path, sub: decision.reader?.sub ?? null, tokenSource: decision.reader ? found?.source : null }, 'reader authorized');
    next();
  };
}
