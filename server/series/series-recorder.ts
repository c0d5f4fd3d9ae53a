import type { Logger } from 'pino';
import type { Envelope } from '../../src/core/wire.js';
import type { Bus } from '../bus/bus.js';
import { pointFromEnvelope, type SeriesPoint, type SeriesStore } from './series-store.js';

/**
 * Records a time point for every upsert or patch with numeric fields on the series topics, as the
 * bus delivers them. Writes are queued in delivery order; {@link recordedThrough} is the log id up
 * to which every point is written, which the series route hands to charts as the position to
 * stream from (so a chart can miss nothing between its history and its live points).
 */
export class SeriesRecorder {
  private readonly topics: ReadonlySet<string>;
  private chain: Promise<void> = Promise.resolve();
  private watermark: string | null = null;
  private seen = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly store: SeriesStore,
    topics: readonly string[],
    private readonly log: Logger,
  ) {
    this.topics = new Set(topics);
  }

  /** True when `topic` is recorded as a series (`SERIES_TOPICS`). */
  records(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** Starts recording. The position starts at the log's end: earlier events are not this recorder's. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.bus.subscribe((events) => this.onEvents(events));
    this.bus.lastId().then(
      (id) => {
        if (!this.seen) this.watermark = id;
      },
      () => {
        // The bus is down at start: the position stays unknown (null) until the first event.
      },
    );
  }

  /** The log id through which every point is written, or null when unknown. */
  get recordedThrough(): string | null {
    return this.watermark;
  }

  /** Resolves when every point queued so far is written (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Stops recording and waits for queued writes. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.chain;
  }

  private onEvents(events: readonly Envelope[]): void {
    if (events.length === 0) return;
    this.seen = true;
    const lastId = events[events.length - 1].id;
    const points: SeriesPoint[] = [];
    for (const env of events) {
      if (!this.topics.has(env.topic)) continue;
      const p = pointFromEnvelope(env);
      if (p) points.push(p);
    }
    this.chain = this.chain.then(async () => {
      try {
        if (points.length) await this.store.record(points);
      } catch (err) {
        // The points are lost for the chart (the log still has the events); say so once per batch.
        this.log.warn({ err: (err as Error).message, points: points.length, lastId }, 'series: could not record points');
      } finally {
        this.watermark = lastId;
      }
    });
  }
}
