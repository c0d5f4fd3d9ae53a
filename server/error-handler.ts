import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { BusUnavailableError } from './bus/bus.js';
import type { RelayContext } from './context.js';
import { sendError } from './http-error.js';

/**
 * Answers a request whose handler threw: the one place an error becomes a status and a code.
 * Express's error handler (below) and the stream route (served without Express) both end here, so
 * "the bus is unavailable" is `503 bus_unavailable` on every route.
 */
export function answerError(ctx: RelayContext, err: unknown, req: IncomingMessage, res: ServerResponse): void {
  const e = err as { status?: number; type?: string; message?: string };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof BusUnavailableError) {
    // A write to the bus is all or none: a refused one published nothing.
    return sendError(res, 503, 'bus_unavailable', req.method === 'GET' ? err.message : `${err.message} (nothing was published)`);
  }
  if (e.type === 'entity.too.large') {
    return sendError(res, 413, 'payload_too_large', `the body is larger than MAX_BODY_BYTES (${ctx.config.MAX_BODY_BYTES} bytes); send fewer events per request`);
  }
  if (e.type === 'entity.parse.failed') {
    return sendError(res, 400, 'bad_request', `the body is not valid JSON: ${e.message}`);
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return sendError(res, e.status, 'bad_request', e.message ?? 'bad request');
  }
  ctx.log.error({ err, path: req.url?.split('?')[0] }, 'request failed');
  sendError(res, 500, 'internal', 'the relay failed to handle this request; retry, and check its log');
}

/** {@link answerError} as Express's last middleware. */
export function errorHandler(ctx: RelayContext): ErrorRequestHandler {
  return (err, req, res, _next) => answerError(ctx, err, req, res);
}
