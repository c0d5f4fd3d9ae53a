import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type RequestHandler } from 'express';
import { keyError, topicError, type Selector } from '../../src/core/wire.js';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';
import { SubscriberAuth, type TokenReader } from './subscriber-auth.js';
import { tokenFrom } from './token-source.js';

const readers = new WeakMap<IncomingMessage, TokenReader>();

/** The verified token reader of a request that passed {@link authorizeReader}; undefined for anonymous readers. */
export function readerOf(req: IncomingMessage): TokenReader | undefined {
  return readers.get(req);
}

/**
 * Guards the snapshot and series routes with {@link authorizeReader}, so there is no side door: each
 * route's selectors are derived here exactly as the route parses them. A request whose selectors do
 * not parse passes on to its route, which answers 400 without reading anything. Mounted before the
 * routes in app.ts. The stream (`/v1/events`, served without Express) calls authorizeReader itself.
 */
export function readerAuth(ctx: RelayContext, auth = new SubscriberAuth(ctx.config)): Router {
  const router = Router();
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
    if (await authorizeReader(ctx, auth, { req, res, query: req.query, route: req.route?.path, wanted })) next();
  };
}

/**
 * Checks the request's subscriber token (if any) against the selectors it asks for. Refused: answers
 * 401/403 and returns false. Allowed: remembers the reader for {@link readerOf} and returns true.
 */
export async function authorizeReader(
  ctx: RelayContext,
  auth: SubscriberAuth,
  { req, res, query, route, wanted }: { req: IncomingMessage; res: ServerResponse; query: Readonly<Record<string, unknown>>; route: string | undefined; wanted: readonly Selector[] },
): Promise<boolean> {
  if (!auth.enabled) return true;
  const found = tokenFrom(req.headers, query);
  const decision = await auth.authorize(found?.token ?? null, wanted);
  // Logged: the route and what was asked, never the token or the URL (its query may hold the token).
  if (!decision.ok) {
    ctx.metrics.readersRefused.inc({ reason: decision.reason });
    ctx.log.debug({ route, reason: decision.reason, tokenSource: found?.source ?? null }, 'reader refused');
    if (decision.status === 401) res.setHeader('WWW-Authenticate', decision.reason === 'missing' ? 'Bearer' : 'Bearer error="invalid_token"');
    sendError(res, decision.status, decision.code, decision.message, decision.selectors ? { selectors: [...decision.selectors] } : undefined);
    return false;
  }
  if (decision.reader) readers.set(req, decision.reader);
  ctx.log.debug({ route, sub: decision.reader?.sub ?? null, tokenSource: decision.reader ? found?.source : null }, 'reader authorized');
  return true;
}
