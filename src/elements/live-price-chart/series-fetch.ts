import { getConnection } from '../../core/configure.js';
import type { LiveConnection } from '../../core/live-connection.js';
import type { SeriesResponse } from '../../core/series-shape.js';
import { relayError, relayHeaders } from '../../core/relay-request.js';
import { relayBase } from '../../core/relay-url.js';
import type { ChartPeriod } from './periods.js';

/** The answer of `GET /v1/series/:topic/:key` (shared with the relay). */
export type { SeriesResponse };

/** Where and what to fetch. */
export interface SeriesRequest {
  relay: string;
  token?: string | null;
  topic: string;
  key: string;
  period: ChartPeriod;
  fields?: readonly string[] | null;
  /** History points to ask for (the relay's `points`); its default when unset. */
  points?: number | null;
  signal?: AbortSignal;
}

/** An error a person can act on, with the relay's error code when it sent one. */
export class SeriesFetchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SeriesFetchError';
  }
}

/** Fetches a chart's history, downsampled by the relay (`sample=true`), skipping its cache read. */
export async function fetchSeries(req: SeriesRequest): Promise<SeriesResponse> {
  const url = new URL(`${relayBase(req.relay)}/v1/series/${encodeURIComponent(req.topic)}/${encodeURIComponent(req.key)}`);
  url.searchParams.set('period', req.period);
  url.searchParams.set('sample', 'true');
  url.searchParams.set('cache', 'skip');
  if (req.points) url.searchParams.set('points', String(req.points));
  if (req.fields && req.fields.length) url.searchParams.set('fields', req.fields.join(','));
  let res: Response;
  try {
    res = await fetch(url, { headers: relayHeaders('application/json', req.token), signal: req.signal });
  } catch (err) {
    if (req.signal?.aborted) throw err;
    throw new SeriesFetchError('network', `could not reach the relay at ${req.relay} for ${url.pathname}; check the relay address and that it is running`);
  }
  if (!res.ok) {
    const { error } = await relayError(res);
    throw new SeriesFetchError(error.code, `${url.pathname}: ${error.message}`);
  }
  const body: unknown = await res.json().catch(() => null);
  const s = body as SeriesResponse | null;
  if (!s || !Array.isArray(s.t) || typeof s.series !== 'object' || s.series === null) {
    throw new SeriesFetchError('bad_response', `the relay's answer for ${url.pathname} is not a series ({t, series}); is ${req.relay} a live-elements relay?`);
  }
  return s;
}

/**
 * Loads a chart's history authorized like its stream: with the (fresh) token of its connection,
 * else of the page's connection to that relay (the configured token). Every failure is a
 * {@link SeriesFetchError} (`token_failed` when no token could be had); an abort rejects as the
 * fetch does. The chart's chunk so imports no token code: a page loads that only with a token.
 */
export async function loadSeries(req: Omit<SeriesRequest, 'token'>, conn: LiveConnection | null): Promise<SeriesResponse> {
  let token: string | null;
  try {
    token = await (conn ?? getConnection({ relay: req.relay })).token();
  } catch (err) {
    throw new SeriesFetchError('token_failed', (err as Error).message);
  }
  req.signal?.throwIfAborted();
  return fetchSeries({ ...req, token });
}
