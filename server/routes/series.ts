import { Router, type Request } from 'express';
import { keyError, topicError } from '../../src/core/wire.js';
import { authorizedRead, readRequestOf, type ReadRequest } from '../auth/reader-auth.js';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';
import { parseSeriesQuery } from '../series/series-query.js';

/**
 * `GET /v1/series/:topic/:key?period=24h&sample=true&points=500&fields=high,low&cache=skip`:
 * a key's recorded time points as columns for a chart, `{topic, key, period, lastEventId, sampled,
 * t, series}`. The `X-Cache` header says `hit`, `miss`, `skip` or `off` (no cache: memory bus).
 */
export function seriesRoutes(ctx: RelayContext): Router {
  const router = Router();
  // `*key` so a key may contain "/" (selectors split at the first "/" only).
  router.get('/v1/series/:topic/*key', authorizedRead(ctx, seriesRequest), async (req, res) => {
    const { topic, key } = readRequestOf<SeriesRequest>(req);
    if (!ctx.series.recorder.records(topic)) {
      return sendError(res, 404, 'not_found', `topic "${topic}" is not recorded as a series; add it to SERIES_TOPICS (now: ${ctx.config.SERIES_TOPICS.join(',') || 'empty'})`);
    }
    const q = parseSeriesQuery(req.query as Record<string, unknown>, ctx.config.SERIES_MAX_FIELDS);
    if (typeof q === 'string') return sendError(res, 400, 'bad_request', q);
    try {
      const { response, cache } = await ctx.series.query(topic, key, q);
      res.set('Cache-Control', 'no-cache').set('X-Cache', cache).json(response);
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message, topic, key }, 'series: store read failed');
      sendError(res, 503, 'unavailable', 'the series store cannot be reached (Redis is down?); retry later');
    }
  });
  return router;
}

interface SeriesRequest extends ReadRequest {
  readonly topic: string;
  readonly key: string;
}

function seriesRequest(req: Request): SeriesRequest | string {
  const topic = req.params.topic as string;
  const rawKey = req.params.key as unknown;
  const key = Array.isArray(rawKey) ? rawKey.join('/') : String(rawKey);
  const bad = topicError(topic) ?? keyError(key);
  return bad ?? { topic, key, selectors: [{ topic, key }] };
}
