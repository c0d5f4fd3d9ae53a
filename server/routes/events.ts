import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import { parseId, parseSelectors, ORIGIN_ID } from '../../src/core/wire.js';
import type { Selector } from '../../src/core/wire.js';
import { authorizeReader, readerOf } from '../auth/reader-auth.js';
import { SubscriberAuth } from '../auth/subscriber-auth.js';
import { BusUnavailableError } from '../bus/bus.js';
import type { RelayContext } from '../context.js';
import { corsHeaders } from '../cors.js';
import { sendError } from '../http-error.js';
import { identityOf } from '../identity.js';
import { connectedFrame, resetFrame } from '../sse/frames.js';
import { writeReplay } from '../sse/replay-writer.js';
import { SseClient } from '../sse/sse-client.js';

/** A plain node:http request handler. */
export type StreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `GET /v1/events?topics=a,b/key`: the SSE stream. Resumes after `Last-Event-ID` (header) or
 * `lastEventId` (query): replay, then live, with no gap and no duplicate between the two.
 *
 * A plain node:http handler doing CORS, reader auth and the stream itself: server.ts hands it
 * stream requests before Express sees them (app.ts mounts it too, for everything else that serves
 * the app). A stream lives for minutes and thousands are held at once; what Express leaves on each
 * request — a fresh hidden class for `req` and for `res` (it swaps their prototypes) and the
 * routers' `next` closures kept on `req` — cost about 4 kB of heap per stream, a fifth of it.
 */
export function streamHandler(ctx: RelayContext, auth = new SubscriberAuth(ctx.config)): StreamHandler {
  const allowOrigin = corsHeaders(ctx.config.CORS_ORIGINS);
  return (req, res) => {
    allowOrigin(req, res);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    // node:querystring, as Express's default ("simple") query parser: the same values either way.
    openStream(ctx, auth, req, res, q < 0 ? {} : parseQuery(url.slice(q + 1))).catch((err: unknown) => {
      // What Express's error handler did for this route before it left Express.
      ctx.log.error({ err }, 'opening a stream failed');
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'internal', 'the relay failed to open the stream; retry');
    });
  };
}

/** True for the requests {@link streamHandler} serves. */
export function isStreamRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return req.method === 'GET' && url.startsWith('/v1/events') && (url.length === 10 || url[10] === '?');
}

async function openStream(ctx: RelayContext, auth: SubscriberAuth, req: IncomingMessage, res: ServerResponse, query: ParsedUrlQuery): Promise<void> {
  const { clients, bus, config, metrics, log } = ctx;
  const topicsParam = typeof query.topics === 'string' ? query.topics : '';
  let selectors: Selector[];
  try {
    selectors = parseSelectors(topicsParam);
  } catch (err) {
    sendError(res, 400, 'bad_request', `topics: ${(err as Error).message}`);
    return;
  }
  if (selectors.length > config.MAX_SELECTORS) {
    // Each selector costs the relay on every replay and every event: the list is bounded.
    sendError(res, 400, 'too_many_selectors', `topics: ${selectors.length} selectors, more than ${config.MAX_SELECTORS} (MAX_SELECTORS); select whole topics instead of many keys, or open another stream`);
    return;
  }
  if (!(await authorizeReader(ctx, auth, { req, res, query, route: '/v1/events', wanted: selectors }))) return;
  const resumeFrom = requestedPosition(req, query);

  const identity = identityOf(req, config.TRUST_PROXY, config.IPV6_PREFIX_BITS);
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
function requestedPosition(req: IncomingMessage, query: ParsedUrlQuery): string | null {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const q = query.lastEventId;
  return typeof q === 'string' && q.trim() !== '' ? q.trim() : null;
}

function startStream(res: ServerResponse): void {
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
