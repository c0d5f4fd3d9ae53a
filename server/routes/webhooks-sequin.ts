import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { BusUnavailableError } from '../bus/bus.js';
import type { RelayContext } from '../context.js';
import { checkEventLimits, eventLimits } from '../event-limits.js';
import { sendError } from '../http-error.js';
import { notJsonBecause } from '../json-content-type.js';
import { parseTableMap, sequinToInputs, type SequinMapping } from '../webhooks/sequin-messages.js';
import { loadTransforms, type SequinTransforms } from '../webhooks/sequin-transforms.js';
import { verifyWebhook } from '../webhooks/webhook-auth.js';

/** Why a delivery was refused: the `reason` label of `live_webhook_rejected_total`. */
type RejectReason = 'not_configured' | 'content_type' | 'auth' | 'too_large' | 'malformed' | 'invalid' | 'transform' | 'unavailable';

/**
 * `POST /v1/webhooks/sequin`: Sequin change messages into the log. Authenticated by whichever of
 * SEQUIN_WEBHOOK_SECRET / WEBHOOK_SECRET is set (refused when neither is); a batch is appended
 * whole or not at all; a repeated idempotency key is acknowledged and not published again.
 * Answers `{ids, duplicates}`.
 */
export function sequinWebhookRoutes(ctx: RelayContext): Router {
  const { config, bus, metrics, log } = ctx;
  const mapping: SequinMapping = {
    topics: parseTableMap(config.SEQUIN_TOPIC_MAP, 'SEQUIN_TOPIC_MAP'),
    keys: parseTableMap(config.SEQUIN_KEY_MAP, 'SEQUIN_KEY_MAP'),
  };
  const limits = eventLimits(config);
  // Loaded once; main.ts loads it before listening too, so a bad module stops the relay at start.
  const transforms: Promise<SequinTransforms | undefined> = config.TRANSFORMS ? loadTransforms(config.TRANSFORMS) : Promise.resolve(undefined);
  transforms.catch(() => undefined);
  const secrets = { sequinSecret: config.SEQUIN_WEBHOOK_SECRET, standardSecret: config.WEBHOOK_SECRET };
  const reject = (res: Response, status: number, reason: RejectReason, code: string, message: string) => {
    metrics.webhookRejected.inc({ reason });
    sendError(res, status, code, message);
  };

  const router = Router();
  // The raw bytes are needed for the HMAC schemes, so the body is parsed here, after the check.
  const rawBody = express.raw({ type: () => true, limit: config.MAX_BODY_BYTES });
  const jsonOnly: RequestHandler = (req, res, next) => {
    const why = notJsonBecause(req);
    if (why) return reject(res, 415, 'content_type', 'unsupported_media_type', `${why} (Sequin sends JSON)`);
    next();
  };
  router.post('/v1/webhooks/sequin', jsonOnly, rawBody, async (req, res) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const auth = verifyWebhook(req.headers, body, secrets);
    if (!auth.ok) {
      if (!auth.configured) return reject(res, 503, 'not_configured', 'not_configured', auth.message);
      return reject(res, 401, 'auth', 'unauthorized', auth.message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      const what = body.length === 0 ? 'the body is empty' : `the body is not valid JSON (${(err as Error).message})`;
      return reject(res, 400, 'malformed', 'bad_request', `${what}; send one Sequin message or {"data": [messages]}`);
    }
    const webhookId = typeof req.headers['webhook-id'] === 'string' ? req.headers['webhook-id'] : undefined;
    let loaded: SequinTransforms | undefined;
    try {
      loaded = await transforms;
    } catch (err) {
      return reject(res, 503, 'transform', 'transforms_unavailable', (err as Error).message);
    }
    const inputs = await sequinToInputs(parsed, mapping, webhookId, loaded);
    if (!Array.isArray(inputs)) {
      if (inputs.reason === 'transform') {
        metrics.transformErrors.inc({ table: inputs.table ?? '' });
        log.warn({ table: inputs.table }, `webhook: ${inputs.message}`);
        return reject(res, 422, 'transform', 'transform_failed', `${inputs.message}; nothing of this delivery was published`);
      }
      return reject(res, 400, 'invalid', 'bad_request', `${inputs.message}; nothing was published`);
    }
    if (inputs.length === 0) return res.json({ ids: [], duplicates: 0 });
    const refused = checkEventLimits(inputs, limits, (i) => ('data' in (parsed as object) ? `data[${i}].record` : 'message.record'));
    if (refused) return reject(res, refused.status, refused.status === 413 ? 'too_large' : 'invalid', refused.code, `${refused.message}; nothing was published`);
    try {
      if (!bus.isReady()) throw new BusUnavailableError();
      const result = await bus.append(inputs);
      metrics.eventsPublished.inc(result.events.length);
      res.json({ ids: result.events.map((e) => e.id), duplicates: result.duplicates });
    } catch (err) {
      // Counted here; answered (503 bus_unavailable) by the app's error handler, as on every route.
      if (err instanceof BusUnavailableError) {
        metrics.webhookRejected.inc({ reason: 'unavailable' });
        throw err;
      }
      log.error({ err }, 'webhook: append failed');
      sendError(res, 500, 'internal', 'the relay failed to append the events; retry, and check its log');
    }
  });

  // Body read failures of this route are counted as rejections and answered here.
  const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      return reject(res, 413, 'too_large', 'payload_too_large', `the body is larger than MAX_BODY_BYTES (${config.MAX_BODY_BYTES} bytes); lower the batch size of the Sequin sink`);
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return reject(res, e.status, 'malformed', 'bad_request', `the body could not be read: ${e.message ?? 'bad request'}`);
    }
    next(err);
  };
  router.use('/v1/webhooks/sequin', bodyErrors);
  return router;
}
