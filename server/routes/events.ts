import { Router, type Request, type Response } from 'express';
import { parseId, parseSelectors, ORIGIN_ID } from '../../src/core/wire.js';
import type { Selector } from '../../src/core/wire.js';
import { readerOf } from '../auth/reader-auth.js';
import { BusUnavailableError } from '../bus/bus.js';
import type { RelayContext } from '../context.js';
import { sendError } from '../http-error.js';
import { identityOf } from '../identity.js';
import { connectedFrame, resetFrame } from '../sse/frames.js';
import { writeReplay } from '../sse/replay-writer.js';
import { SseClient } from '../sse/sse-client.js';

/**
 * `GET /v1/events?topics=a,b/key`: the SSE stream. Resumes after `Last-Event-ID` (header) or
 * `lastEventId` (query): replay, then live, with no gap and no duplicate between the two.
 */
export function eventsRoutes(ctx: RelayContext): Router {
  const router = Router();
  router.get('/v1/events', (req, res) => void openStream(ctx, req, res));
  return router;
}

async function openStream(ctx: RelayContext, req: Request, res: Response): Promise<void> {
  const { clients, bus, config, metrics, log } = ctx;
  const topicsParam = typeof req.query.topics === 'string' ? req.query.topics : '';
  let selectors: Selector[];
  try {
    selectors = parseSelectors(topicsParam);
  } catch (err) {
    sendError(res, 400, 'bad_request', `topics: ${(err as Error).message}`);
    return;
  }
  const resumeFrom = requestedPosition(req);

  const identity = identityOf(req);
  const refused = clients.refusal(identity);
  if (refused) {
    metrics.clientsRejected.inc({ limit: refused });
    const message =
      refused === 'total'
        ? `the relay already serves ${config.MAX_CLIENTS} streams (MAX_CLIENTS); retry later`
        : `this client already has ${config.MAX_CLIENTS_PER_IDENTITY} open streams (MAX_CLIENTS_PER_IDENTITY); share one stream for all topics or close one`;
    res.setHeader('Retry-After', '5');
    sendError(res, 429, 'too_many_clients', message);
    return;
  }

  // Subscribe first (the hub buffers into client.pending), read the log second: whatever is
  // published while the log is read lands in the buffer, and goLive drops what replay already sent.
  const client = new SseClient(clients.newClientId(), identity, selectors, res);
  client.expiresAt = readerOf(req)?.expiresAt ?? null;
  clients.add(client);
  res.on('close', () => clients.remove(client));
  // A write racing a disconnect must not surface as an unhandled 'error'; 'close' cleans up.
  res.on('error', () => clients.remove(client));

  try {
    if (resumeFrom === null) {
      const last = await bus.lastId();
      if (client.closed) return;
      startStream(res);
      clients.write(client, connectedFrame({ clientId: client.id, lastEventId: last ?? ORIGIN_ID }, config.RETRY_MS));
      clients.goLive(client, last);
      return;
    }
    const result = parseId(resumeFrom) ? await bus.readSince(resumeFrom, selectors) : ({ ok: false, reason: 'epoch' } as const);
    if (client.closed) return;
    if (result.ok) {
      startStream(res);
      const connected = connectedFrame({ clientId: client.id, lastEventId: resumeFrom }, config.RETRY_MS);
      const sliceChars = Math.max(16 * 1024, config.MAX_BUFFERED_BYTES >> 1);
      if (!(await writeReplay(res, connected, result.events, sliceChars, () => client.closed))) return;
      if (result.events.length > 0) metrics.eventsDelivered.inc(result.events.length);
      clients.goLive(client, result.events.length > 0 ? result.events[result.events.length - 1].id : resumeFrom);
      return;
    }
    // The log cannot prove it holds everything after that position: say so, and continue from its head.
    const last = await bus.lastId();
    if (client.closed) return;
    const head = last ?? ORIGIN_ID;
    metrics.replayResets.inc();
    startStream(res);
    clients.write(
      client,
      connectedFrame({ clientId: client.id, lastEventId: head }, config.RETRY_MS) +
        resetFrame({ topics: client.topics, reason: result.reason, lastEventId: head }),
    );
    clients.goLive(client, last);
  } catch (err) {
    clients.remove(client);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof BusUnavailableError) {
      sendError(res, 503, 'bus_unavailable', err.message);
    } else {
      log.error({ err }, 'opening a stream failed');
      sendError(res, 500, 'internal', 'the relay failed to open the stream; retry');
    }
  }
}

/** The resume position: `Last-Event-ID` (what EventSource sends) wins over the `lastEventId` query. */
function requestedPosition(req: Request): string | null {
  const header = req.get('last-event-id');
  if (header !== undefined && header.trim() !== '') return header.trim();
  const q = req.query.lastEventId;
  return typeof q === 'string' && q.trim() !== '' ? q.trim() : null;
}

function startStream(res: Response): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  // Small frames must leave at once, not wait for Nagle.
  res.socket?.setNoDelay(true);
}
