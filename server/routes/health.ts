import { Router } from 'express';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';

/** `/healthz` (the process answers), `/readyz` (the bus is reachable), `/metrics` (Prometheus text). */
export function healthRoutes(ctx: RelayContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    if (!ctx.bus.isReady()) {
      return sendError(res, 503, 'not_ready', `the ${ctx.bus.kind} bus is unreachable; streams stay open and catch up when it returns`);
    }
    res.json({ status: 'ready', bus: ctx.bus.kind, clients: ctx.clients.size });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  return router;
}
