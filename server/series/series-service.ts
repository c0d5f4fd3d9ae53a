import type { Logger } from 'pino';
import { bucketStart } from '../../src/core/series-shape.js';
import { bucketColumns } from './bucket.js';
import { downsampleMinMax } from './downsample.js';
import type { SeriesCache } from './series-cache.js';
import { CACHE_TTL_MS, PERIODS, toColumns, type SeriesQuery, type SeriesResponse } from './series-query.js';
import type { SeriesRecorder } from './series-recorder.js';
import type { SeriesStore } from './series-store.js';

/** Where an answer came from: the cache, a fresh read (cache missed), or a fresh read that bypassed it. */
export type CacheOutcome = 'hit' | 'miss' | 'skip' | 'off';

/** The relay's time series: the store, the recorder that fills it and the cache in front of it. */
export class SeriesService {
  constructor(
    readonly store: SeriesStore,
    readonly recorder: SeriesRecorder,
    private readonly cache: SeriesCache | null,
    private readonly log: Logger,
    private readonly closeConnection: () => Promise<void> = async () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts recording from the bus. */
  start(): void {
    this.recorder.start();
  }

  /**
   * Answers one series query. With a cache, a cached answer is served until its TTL ends;
   * `skipCache` reads fresh and still writes the cache, so the next reader gets the fresh answer.
   * A cache that fails is logged and bypassed: charts still get data. A store that fails throws.
   */
  async query(topic: string, key: string, q: SeriesQuery): Promise<{ response: SeriesResponse; cache: CacheOutcome }> {
    const name = cacheName(topic, key, q);
    if (this.cache && !q.skipCache) {
      try {
        const cached = await this.cache.get(name);
        if (cached) return { response: cached, cache: 'hit' };
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'series: cache read failed; reading the store');
      }
    }
    // Read the position before the points, so every event after it is either in the points or
    // still to come on the stream: a chart may see a point twice, never miss one.
    const lastEventId = this.recorder.recordedThrough;
    const now = this.now();
    const { spanMs, stepMs } = PERIODS[q.period];
    // From the start of the bucket the window begins in, so the oldest bucket is whole.
    const from = Number.isFinite(spanMs) ? bucketStart(now - spanMs, stepMs) : Number.NEGATIVE_INFINITY;
    const points = await this.store.range(topic, key, from, Number.POSITIVE_INFINITY);
    // One point per bucket of the period's step, then (sample=true) the budget on top.
    let cols = bucketColumns(toColumns(points, q.fields), stepMs);
    let sampled = false;
    if (q.sample && cols.t.length > q.points) {
      cols = downsampleMinMax(cols, q.points);
      sampled = true;
    }
    const response: SeriesResponse = { topic, key, period: q.period, stepMs, lastEventId, sampled, t: cols.t, series: cols.series };
    if (!this.cache) return { response, cache: 'off' };
    try {
      await this.cache.set(name, response, CACHE_TTL_MS[q.period]);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'series: cache write failed');
    }
    return { response, cache: q.skipCache ? 'skip' : 'miss' };
  }

  /** Stops recording, waits for queued writes, releases the store and its connection. */
  async close(): Promise<void> {
    await this.recorder.stop();
    await this.store.close();
    await this.closeConnection();
  }
}

function cacheName(topic: string, key: string, q: SeriesQuery): string {
  const fields = q.fields ? q.fields.join(',') : '*';
  const shape = q.sample ? `s${q.points}` : 'raw';
  // The key goes last: it is the only part that may contain ":".
  return `${topic}:${q.period}:${shape}:${fields}:${key}`;
}
