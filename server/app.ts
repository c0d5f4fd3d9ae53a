import type { IncomingMessage, ServerResponse } from 'node:http';
import compression from 'compression';
import express from 'express';
import type { RelayContext } from './context.js';
import { cors } from './cors.js';
import { errorHandler } from './error-handler.js';
import { sendError } from './http-error.js';
import { demoRoutes } from './routes/demo.js';
import { streamHandler, type StreamHandler } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { kitRoutes } from './routes/kit.js';
import { publishRoutes } from './routes/publish.js';
import { seriesRoutes } from './routes/series.js';
import { topicsRoutes } from './routes/topics.js';
import { sequinWebhookRoutes } from './routes/webhooks-sequin.js';

/**
 * The relay's Express app for one context. It never listens: `server/main.ts` (or a test) does.
 * `streams` serves `GET /v1/events` (CORS and reader auth included); server.ts passes the one it
 * also calls directly for stream requests, so they skip Express.
 */
export function createApp(ctx: RelayContext, streams: StreamHandler = streamHandler(ctx)): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(noSniff);
  app.get('/v1/events', (req, res) => streams(req, res));
  // JSON answers and demo files by Accept-Encoding (brotli q4 first, then gzip), with Vary; 1 kB
  // and up (below that the header costs what the coding saves). SSE stays plain: its route is
  // above, and the filter refuses the type in case a stream ever passes through here. The kit's
  // files go out as the build precompressed them (routes/kit.ts marks them).
  app.use(compression({ filter: (req, res) => !(res as express.Response).locals.precompressed && !String(res.getHeader('Content-Type')).startsWith('text/event-stream') && compression.filter(req, res) }));
  app.use(cors(ctx.config.CORS_ORIGINS));

  app.use(healthRoutes(ctx));
  // The read routes (snapshots, series; the stream above too) each start with authorizedRead.
  app.use(topicsRoutes(ctx));
  app.use(publishRoutes(ctx));
  app.use(seriesRoutes(ctx));
  app.use(sequinWebhookRoutes(ctx));
  app.use(kitRoutes(ctx));
  // Last: the demo pages answer only for their own files; everything else falls through to the 404.
  if (ctx.config.DEMO) app.use(demoRoutes(ctx));

  app.use((req, res) => sendError(res, 404, 'not_found', `no route ${req.method} ${req.path}; see README.md for the relay's routes`));
  app.use(errorHandler(ctx));
  return app;
}

/**
 * `X-Content-Type-Options: nosniff` on every response: a browser never runs a JSON error or a
 * snapshot as a script or a page. Plain node:http, so server.ts also applies it to the streams it
 * serves without Express.
 */
export function noSniff(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
}
