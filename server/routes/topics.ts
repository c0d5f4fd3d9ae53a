import { Router } from 'express';
import { keyError, topicError } from '../../src/core/wire.js';
import { BusUnavailableError } from '../bus/bus.js';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';

/** `GET /v1/topics/:topic?keys=a,b`: a topic's state and the log position it includes, read atomically. */
export function topicsRoutes(ctx: RelayContext): Router {
  const router = Router();
  router.get('/v1/topics/:topic', async (req, res) => {
    const topic = req.params.topic;
    const terr = topicError(topic);
    if (terr) return sendError(res, 400, 'bad_request', terr);
    let keys: string[] | undefined;
    if (typeof req.query.keys === 'string') {
      keys = req.query.keys.split(',').map((k) => k.trim());
      for (const k of keys) {
        const kerr = keyError(k);
        if (kerr) return sendError(res, 400, 'bad_request', `keys: ${kerr}; pass keys=a,b`);
      }
    } else if (req.query.keys !== undefined) {
      return sendError(res, 400, 'bad_request', 'keys must be given once, as a comma-separated list: keys=a,b');
    }
    try {
      const snap = await ctx.bus.snapshot(topic, keys);
      res.setHeader('Cache-Control', 'no-store');
      res.json(snap);
    } catch (err) {
      if (err instanceof BusUnavailableError) return sendError(res, 503, 'bus_unavailable', err.message);
      throw err;
    }
  });
  return router;
}
