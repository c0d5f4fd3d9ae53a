import express, { Router } from 'express';
import { validateEventInput } from '../../src/core/wire.js';
import type { EventInput } from '../../src/core/wire.js';
import type { RelayContext } from '../context.js';
import { refuseForeignOrigin } from '../cors.js';
import { checkEventLimits, eventLimits } from '../event-limits.js';
import { sendError } from '../http-error.js';
import { notJsonBecause } from '../json-content-type.js';
import { requirePublisher } from '../publish-auth.js';

/**
 * `POST /v1/publish`: one event `{topic,key,op,data}` or an array of them, applied in order, all or
 * none. Answers `{"ids":[...]}`.
 */
export function publishRoutes(ctx: RelayContext): Router {
  const router = Router();
  const limits = eventLimits(ctx.config);
  router.post(
    '/v1/publish',
    refuseForeignOrigin(ctx.config.CORS_ORIGINS),
    requirePublisher(ctx.config),
    (req, res, next) => {
      const why = notJsonBecause(req);
      if (why) return sendError(res, 415, 'unsupported_media_type', why);
      next();
    },
    express.json({ limit: ctx.config.MAX_BODY_BYTES, type: () => true, strict: false }),
    async (req, res) => {
      const body: unknown = req.body;
      if (body === undefined || body === null || (typeof body !== 'object')) {
        return sendError(res, 400, 'bad_request', 'the body must be a JSON event {"topic","key","op","data"} or an array of them');
      }
      const list = Array.isArray(body) ? body : [body];
      if (list.length === 0) return sendError(res, 400, 'bad_request', 'the array is empty: send at least one event');
      const events: EventInput[] = [];
      for (let i = 0; i < list.length; i++) {
        const checked = validateEventInput(list[i], Array.isArray(body) ? `events[${i}]` : 'event');
        if (typeof checked === 'string') return sendError(res, 400, 'bad_request', `${checked} (nothing was published)`);
        events.push(checked);
      }
      const refused = checkEventLimits(events, limits, (i) => (Array.isArray(body) ? `events[${i}].data` : 'event.data'));
      if (refused) return sendError(res, refused.status, refused.code, `${refused.message} (nothing was published)`);
      // A bus that cannot be reached throws BusUnavailableError: the app's error handler answers 503.
      const result = await ctx.bus.append(events);
      ctx.metrics.eventsPublished.inc(result.events.length);
      res.json({ ids: result.events.map((e) => e.id) });
    },
  );
  return router;
}
