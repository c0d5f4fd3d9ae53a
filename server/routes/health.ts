import { Router } from 'express';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';
import { secretsEqual } from '../publish-auth.js';

/**
 * `/healthz` (the process answers), `/readyz` (the bus is reachable), `/metrics` (Prometheus text;
 * with METRICS_TOKEN set it needs `Authorization: Bearer <METRICS_TOKEN>`).
 */
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
  const token = ctx.config.METRICS_TOKEN;
  router.get('/metrics', async (req, res) => {
    if (token) {
      const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
      if (!m || !secretsEqual(m[1].trim(), token)) {
        res.setHeader('WWW-Authenticate', m ? 'Bearer error="invalid_token"' : 'Bearer');
        return sendError(res, 401, 'unauthorized', m ? 'the bearer token does not match METRICS_TOKEN' : 'send Authorization: Bearer <METRICS_TOKEN> (the relay sets METRICS_TOKEN)');
      }
    }
    res.setHeader('Content-Type', ctx.metrics.registry.contentType);
    res.send(await ctx.metrics.registry.metrics());
  });
  return router;
}
