import type { SeriesPoint, SeriesRetention, SeriesStore } from './series-store.js';

interface Series {
  /** Ordered by `t` (then arrival). */
  points: SeriesPoint[];
  ids: Set<string>;
}

/** The series store for one relay process: a sorted array per series. */
export class MemorySeriesStore implements SeriesStore {
  readonly kind = 'memory' as const;
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly retention: SeriesRetention,
    private readonly now: () => number = Date.now,
  ) {}

  async record(points: readonly SeriesPoint[]): Promise<void> {
    const touched = new Set<Series>();
    for (const p of points) {
      const name = seriesName(p.topic, p.key);
      let s = this.series.get(name);
      if (!s) this.series.set(name, (s = { points: [], ids: new Set() }));
      if (s.ids.has(p.id)) continue;
      s.ids.add(p.id);
      insertSorted(s.points, p);
      touched.add(s);
    }
    const cutoff = this.now() - this.retention.maxAgeMs;
    for (const s of touched) this.trim(s, cutoff);
  }

  async range(topic: string, key: string, fromMs: number, toMs: number): Promise<SeriesPoint[]> {
    const s = this.series.get(seriesName(topic, key));
    if (!s) return [];
    const start = lowerBound(s.points, fromMs);
    const out: SeriesPoint[] = [];
    for (let i = start; i < s.points.length && s.points[i].t <= toMs; i++) out.push(s.points[i]);
    return out;
  }

  async count(topic: string, key: string): Promise<number> {
    return this.series.get(seriesName(topic, key))?.points.length ?? 0;
  }

  async close(): Promise<void> {
    this.series.clear();
  }

  private trim(s: Series, cutoff: number): void {
    const old = lowerBound(s.points, cutoff);
    const drop = Math.max(old, s.points.length - this.retention.maxPoints);
    if (drop <= 0) return;
    for (let i = 0; i < drop; i++) s.ids.delete(s.points[i].id);
    s.points.splice(0, drop);
  }
}

function seriesName(topic: string, key: string): string {
  return `${topic}/${key}`;
}

/** Index of the first point with `t >= t0`. */
function lowerBound(points: readonly SeriesPoint[], t0: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid].t < t0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Live points almost always arrive in time order, so this is usually a push. */
function insertSorted(points: SeriesPoint[], p: SeriesPoint): void {
  if (points.length === 0 || points[points.length - 1].t <= p.t) {
    points.push(p);
    return;
  }
  // After every point with the same time, so equal times keep arrival order.
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid].t <= p.t) lo = mid + 1;
    else hi = mid;
  }
  points.splice(lo, 0, p);
}
