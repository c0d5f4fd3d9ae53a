import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import { anySelectorMatches, formatSelector, parseSelectors, type Selector } from '../../src/core/wire.js';
import { authorizeReader, readerOf } from '../auth/reader-auth.js';
import type { RelayContext } from '../context.js';
import { corsHeaders } from '../cors.js';
import { answerError } from '../error-handler.js';
import { sendError } from '../http-error.js';
import { identityOf } from '../identity.js';

/** A plain node:http request handler. */
export type StreamHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `GET /v1/events?topics=a,b/key[&snapshot=a,b/key]`: the SSE stream. Resumes after `Last-Event-ID`
 * (header) or `lastEventId` (query): replay, then live, with no gap and no duplicate between the
 * two. `snapshot=` names selections the stream carries whose state the client needs: each gets a
 * `snapshot` frame before any event (see `SnapshotEvent` in src/core/wire.ts), which spares the
 * client a `GET /v1/topics` round trip per selection.
 *
 * A plain node:http handler doing CORS, reader auth and the stream itself: server.ts hands it
 * stream requests before Express sees them (app.ts mounts it too, for everything else that serves
 * the app). A stream lives for minutes and thousands are held at once; what Express leaves on each
 * request — a fresh hidden class for `req` and for `res` (it swaps their prototypes) and the
 * routers' `next` closures kept on `req` — cost about 4 kB of heap per stream, a fifth of it.
 */
export function streamHandler(ctx: RelayContext): StreamHandler {
  const allowOrigin = corsHeaders(ctx.config.CORS_ORIGINS);
  return (req, res) => {
    allowOrigin(req, res);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    // node:querystring, as Express's default ("simple") query parser: the same values either way.
    // Errors are answered as the app's error handler answers them (503 bus_unavailable, 500).
    openStream(ctx, req, res, q < 0 ? {} : parseQuery(url.slice(q + 1))).catch((err: unknown) => answerError(ctx, err, req, res));
  };
}

/** True for the requests {@link streamHandler} serves. */
export function isStreamRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return req.method === 'GET' && url.startsWith('/v1/events') && (url.length === 10 || url[10] === '?');
}

async function openStream(ctx: RelayContext, req: IncomingMessage, res: ServerResponse, query: ParsedUrlQuery): Promise<void> {
  const { clients, config, metrics } = ctx;
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
  const snapshots = snapshotSelections(query.snapshot, selectors, config.MAX_SELECTORS);
  if ('code' in snapshots) {
    sendError(res, 400, snapshots.code, snapshots.message);
    return;
  }
  // A snapshot selection is covered by a stream selector, and a grant that covers that selector
  // covers everything under it: authorizing the stream's selectors authorizes the snapshots.
  if (!(await authorizeReader(ctx, { req, res, query, route: '/v1/events', wanted: selectors }))) return;

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
  await clients.open(res, { identity, selectors, snapshots, expiresAt: readerOf(req)?.expiresAt ?? null, resumeFrom: requestedPosition(req, query) });
}

/**
 * The `snapshot=` selections (none when absent or empty), each covered by the stream's `topics=`,
 * repeats dropped; or the 400 to answer. At most MAX_SELECTORS: each is a read of the bus when
 * the stream opens.
 */
function snapshotSelections(param: unknown, selectors: readonly Selector[], max: number): Selector[] | { code: string; message: string } {
  const bad = (message: string) => ({ code: 'bad_request', message: `snapshot: ${message}` });
  if (param === undefined || param === '') return [];
  if (typeof param !== 'string') return bad('give it once, as a comma-separated list of selectors: snapshot=prices,services/api-1');
  let wanted: Selector[];
  try {
    wanted = parseSelectors(param);
  } catch (err) {
    return bad((err as Error).message);
  }
  const unique = new Map(wanted.map((s) => [formatSelector(s), s]));
  if (unique.size > max) {
    return { code: 'too_many_selectors', message: `snapshot: ${unique.size} selectors, more than ${max} (MAX_SELECTORS); ask fewer snapshots per stream request` };
  }
  for (const [text, s] of unique) {
    if (!anySelectorMatches(selectors, s.topic, s.key)) {
      return bad(`"${text}" is not among the stream's topics: ask a snapshot only of a selection that topics= carries (the selector itself, or under its whole topic)`);
    }
  }
  return [...unique.values()];
}

/** The resume position: `Last-Event-ID` (what EventSource sends) wins over the `lastEventId` query. */
function requestedPosition(req: IncomingMessage, query: ParsedUrlQuery): string | null {
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const q = query.lastEventId;
  return typeof q === 'string' && q.trim() !== '' ? q.trim() : null;
}
