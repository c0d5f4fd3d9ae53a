import { Router, type Request } from 'express';
import { keyError, topicError, type Selector } from '../../src/core/wire.js';
import { authorizedRead, readRequestOf, type ReadRequest } from '../auth/reader-auth.js';
import type { RelayContext } from '../context.js';

/** `GET /v1/topics/:topic?keys=a,b`: a topic's state and the log position it includes, read atomically. */
export function topicsRoutes(ctx: RelayContext): Router {
  const router = Router();
  router.get('/v1/topics/:topic', authorizedRead(ctx, snapshotRequest), async (req, res) => {
    const { topic, keys } = readRequestOf<SnapshotRequest>(req);
    // A bus that cannot be reached throws BusUnavailableError: the app's error handler answers 503.
    const snap = await ctx.bus.snapshot(topic, keys);
    res.setHeader('Cache-Control', 'no-store');
    res.json(snap);
  });
  return router;
}

interface SnapshotRequest extends ReadRequest {
  readonly topic: string;
  /** The keys to narrow the snapshot to; undefined for the whole topic. */
  readonly keys: string[] | undefined;
}

function snapshotRequest(req: Request): SnapshotRequest | string {
  const topic = req.params.topic as string;
  const terr = topicError(topic);
  if (terr) return terr;
  if (req.query.keys === undefined) return { topic, keys: undefined, selectors: [{ topic }] };
  if (typeof req.query.keys !== 'string') return 'keys must be given once, as a comma-separated list: keys=a,b';
  const keys = req.query.keys.split(',').map((k) => k.trim());
  for (const k of keys) {
    const kerr = keyError(k);
    if (kerr) return `keys: ${kerr}; pass keys=a,b`;
  }
  // A token for `services/api-1` may read the snapshot narrowed to that key.
  const selectors: Selector[] = keys.map((key) => ({ topic, key }));
  return { topic, keys, selectors };
}
