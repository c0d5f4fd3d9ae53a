import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Selector } from '../../src/core/wire.js';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';
import type { TokenReader } from './subscriber-auth.js';
import { tokenFrom } from './token-source.js';

const readers = new WeakMap<IncomingMessage, TokenReader>();

/** The verified token reader of a request that passed {@link authorizeReader}; undefined for anonymous readers. */
export function readerOf(req: IncomingMessage): TokenReader | undefined {
  return readers.get(req);
}

/** What a read route asks for, parsed once from its parameters: the selectors a reader needs, and the route's own fields. */
export interface ReadRequest {
  readonly selectors: readonly Selector[];
}

/**
 * The first handler of a read route (snapshots, series): parses the route's parameters with
 * `parse` (a message answers 400 naming the parameter), checks the reader's token against the
 * selectors with {@link authorizeReader}, and hands the parsed request on to the route's handler
 * (see {@link readRequestOf}), so each parameter is parsed once. The stream (`/v1/events`, served
 * without Express) calls authorizeReader itself.
 */
export function authorizedRead<T extends ReadRequest>(ctx: RelayContext, parse: (req: Request) => T | string): RequestHandler {
  return async (req, res, next) => {
    const parsed = parse(req);
    if (typeof parsed === 'string') return sendError(res, 400, 'bad_request', parsed);
    if (!(await authorizeReader(ctx, { req, res, query: req.query, route: req.route?.path, wanted: parsed.selectors }))) return;
    requests.set(req, parsed);
    next();
  };
}

const requests = new WeakMap<IncomingMessage, ReadRequest>();

/** The request {@link authorizedRead} parsed and authorized for this route. */
export function readRequestOf<T extends ReadRequest>(req: IncomingMessage): T {
  const parsed = requests.get(req);
  if (!parsed) throw new Error('a read route must start with authorizedRead(), which parses and authorizes its parameters');
  return parsed as T;
}

/**
 * Checks the request's subscriber token (if any) against the selectors it asks for. Refused: answers
 * 401/403 and returns false. Allowed: remembers the reader for {@link readerOf} and returns true.
 */
export async function authorizeReader(
  ctx: RelayContext,
  { req, res, query, route, wanted }: { req: IncomingMessage; res: ServerResponse; query: Readonly<Record<string, unknown>>; route: string | undefined; wanted: readonly Selector[] },
): Promise<boolean> {
  const auth = ctx.subscriberAuth;
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
