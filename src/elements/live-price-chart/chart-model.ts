import { compareIds, type Envelope } from '../../core/wire.js';
import { timeMs } from '../shared/format.js';
import type { LiveTip } from './chart-plot.js';
import { decimate } from './decimate.js';
import { LiveBuffer } from './live-buffer.js';
import type { SeriesResponse } from './series-fetch.js';

/** What folding a live event changed: what is drawn (`data`), only the marks over it (`marks`), or nothing (null). */
export type FoldResult = 'data' | 'marks' | null;

/** Live events kept while the history loads; more than this and the oldest go. */
const MAX_EARLY = 1000;

/**
 * What a chart shows, apart from how it is drawn: the history, the live points consolidated per
 * period bucket after it ({@link LiveBuffer}), the live tip and each field's latest quote; and
 * `data`, the two joined as uPlot draws them.
 */
export class ChartModel {
  /** The history as `/v1/series` answered it; null while none is loaded. */
  history: SeriesResponse | null = null;
  /** The fields drawn, in order. */
  fieldNames: string[] = [];
  /** The live points, one per bucket. */
  buffer = new LiveBuffer(60_000, []);
  /**
   * uPlot's aligned data: unix ms, then one array per field: the history reduced to the plot's
   * pixel columns (see {@link decimate}), then the live buffer's buckets after it.
   */
  data: Array<Array<number | null>> = [[]];
  /** The last known value of every field (the latest quote, not its bucket's max/min), so a patch that carries one field keeps the others. */
  lastValues: Record<string, number> = {};
  /** The pixel columns the history in `data` was reduced for. */
  private dataColumns = 0;
  /** How many of the buffer's newest buckets are at the end of `data`. */
  private liveInData = 0;
  /** Live events that came before the history: folded in after it, by id. */
  private early: Envelope[] = [];

  /** Clears the history and the live points, or keeps the live points re-bucketed at `bucketMs` (`keepLive`: a period switch). */
  reset(fieldNames: string[], bucketMs: number, keepLive: boolean): void {
    this.history = null;
    this.early = [];
    this.fieldNames = fieldNames;
    this.lastValues = {};
    this.buffer = keepLive ? this.buffer.rebucket(bucketMs) : new LiveBuffer(bucketMs, fieldNames);
    this.data = [[], ...fieldNames.map(() => [])];
    this.liveInData = 0;
  }

  /** The live events kept while no history was loaded (none once one is). */
  takeEarly(): Envelope[] {
    return this.history ? [] : this.early;
  }

  /** Starts from history `s` (after {@link reset}), reduced to `columns` pixel columns. */
  take(s: SeriesResponse, columns: number): void {
    this.history = s;
    if (this.fieldNames.length === 0) this.fieldNames = Object.keys(s.series);
    // The history's last bucket may still be filling: live points in it extend it. Live points the
    // history does not hold yet (kept over a period switch) fold in after it.
    const kept = this.buffer;
    this.buffer = new LiveBuffer(kept.bucketMs, this.fieldNames);
    const last = s.t.length - 1;
    if (last >= 0) this.buffer.seed(s.t[last], this.fieldNames.map((f) => s.series[f]?.[last] ?? null));
    this.buffer.absorb(kept, s.lastEventId);
    this.rebuild(columns);
    this.fieldNames.forEach((f) => {
      const v = last >= 0 ? s.series[f]?.[last] : null;
      if (typeof v === 'number') this.lastValues[f] = v;
    });
  }

  /** The live tip (the newest live point while its bucket is open), or null. */
  get liveTip(): LiveTip | null {
    const n = this.buffer.length;
    const end = this.buffer.newestBucketEnd();
    if (!this.history || !this.buffer.live || end === null || Date.now() >= end) return null;
    const values: Record<string, number | null> = {};
    this.fieldNames.forEach((f, i) => (values[f] = this.buffer.values[i][n - 1]));
    return { time: this.buffer.t[n - 1], values };
  }

  /** Points shown: history points plus live buckets. */
  get pointCount(): number {
    return (this.history?.t.length ?? 0) + this.liveInData;
  }

  /**
   * Folds one live event into the buffer and `data` (kept for later while there is no history):
   * `data` when `data` changed, `marks` when only a latest quote did (its bucket's max/min held:
   * the last-price line moves, the plotted line does not), null when nothing drawn changed.
   */
  fold(e: Envelope): FoldResult {
    if (!this.history) {
      this.early.push(e);
      if (this.early.length > MAX_EARLY) this.early.shift();
      return null;
    }
    const last = this.history.lastEventId;
    if (last && compareIds(e.id, last) <= 0) return null;
    if (e.op === 'delete') return null;
    const data = (e.data ?? {}) as Record<string, unknown>;
    const t = typeof data.ts === 'number' ? data.ts * 1000 : timeMs(e.time);
    if (t === null) return null;
    if (this.fieldNames.length === 0) {
      // No history fields and none requested: draw the point's numeric fields.
      this.fieldNames = Object.keys(data).filter((k) => k !== 'ts' && typeof data[k] === 'number');
      this.buffer = new LiveBuffer(this.buffer.bucketMs, this.fieldNames);
      this.rebuild();
    }
    const values: Array<number | null> = [];
    let moved = false;
    const quotes = { ...this.lastValues };
    for (const f of this.fieldNames) {
      const v = data[f];
      if (typeof v === 'number' && Number.isFinite(v)) quotes[f] = v;
      else if (e.op === 'upsert' || e.op === 'append') delete quotes[f];
      values.push(quotes[f] ?? null);
      moved ||= quotes[f] !== this.lastValues[f];
    }
    const evictedBefore = this.buffer.evicted;
    const result = this.buffer.push(t, values, e.id);
    // A point older than the newest bucket is not drawn, and is not the latest quote either.
    if (result === 'dropped') return null;
    this.lastValues = quotes;
    // The bucket kept its max/min, but the last-price line follows the latest quote.
    if (result === 'unchanged') return moved ? 'marks' : null;
    const x = this.data[0];
    const historyEnd = x.length - this.liveInData > 0 ? (x[x.length - this.liveInData - 1] as number) : -Infinity;
    // The bucket the point folded into, as the buffer consolidated it.
    const b = this.buffer.length - 1;
    const bt = this.buffer.t[b];
    if (this.buffer.evicted !== evictedBefore) {
      this.rebuild();
    } else if (result === 'updated' && x[x.length - 1] === bt) {
      for (let f = 0; f < values.length; f++) this.data[f + 1][x.length - 1] = this.buffer.values[f][b];
    } else if (result === 'appended' && bt > historyEnd) {
      x.push(bt);
      for (let f = 0; f < values.length; f++) this.data[f + 1].push(this.buffer.values[f][b]);
      this.liveInData++;
    } else {
      return null;
    }
    return 'data';
  }

  /** Re-reduces the history for `columns` pixel columns when they changed and it is (or was) reduced; true if so. */
  fit(columns: number): boolean {
    const n = this.history?.t.length ?? 0;
    if (columns === this.dataColumns || (n <= 4 * columns && n <= 4 * this.dataColumns)) return false;
    this.rebuild(columns);
    return true;
  }

  /**
   * Rebuilds `data` from the history reduced to `columns` pixel columns and the buffer (after the
   * buffer dropped its oldest buckets, or the plot's width changed). O(columns + live buckets).
   */
  private rebuild(columns = this.dataColumns): void {
    const s = this.history;
    const n = s?.t.length ?? 0;
    this.data = decimate([s?.t ?? [], ...this.fieldNames.map((f) => s?.series[f] ?? new Array<null>(n).fill(null))], columns);
    this.dataColumns = columns;
    const t = this.data[0] as number[];
    const end = t.length ? t[t.length - 1] : -Infinity;
    this.liveInData = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      if (this.buffer.t[i] < end) continue;
      if (this.buffer.t[i] === end) {
        // The history's last bucket, as live points extended it.
        for (let f = 0; f < this.fieldNames.length; f++) this.data[f + 1][t.length - 1] = this.buffer.values[f][i];
        continue;
      }
      t.push(this.buffer.t[i]);
      for (let f = 0; f < this.fieldNames.length; f++) this.data[f + 1].push(this.buffer.values[f][i]);
      this.liveInData++;
    }
  }
}
