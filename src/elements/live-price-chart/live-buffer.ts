import { bucketStart, consolidate, consolidationOf, type Consolidation } from '../../core/series-shape.js';
import { compareIds } from '../../core/wire.js';

/** What {@link LiveBuffer.push} did with a point: `unchanged` when its bucket already held it. */
export type PushResult = 'updated' | 'appended' | 'unchanged' | 'dropped';

/**
 * The live points of a chart, one per bucket, folded by the rule the relay's history uses
 * (`consolidationOf`: `high` → max, `low` → min, others → the newest value): a point in the newest
 * bucket folds into it, a point in a later bucket appends one stamped at that bucket's start, a
 * point older than the newest bucket is dropped (the chart only moves forward). The history's last
 * bucket may be {@link seed}ed, so live points landing in it extend it rather than double it.
 * Bounded: past `capacity` buckets the oldest goes. Plain arrays and no allocation per updated
 * point, because it sees every live event.
 */
export class LiveBuffer {
  /** Each bucket's time, unix ms, ascending: its start (a seeded bucket keeps the history's time). */
  readonly t: number[] = [];
  /** Per field, each bucket's consolidated value. */
  readonly values: Array<Array<number | null>>;
  /** Per bucket, the id of the latest event folded into it ('' for a seeded bucket no live point reached). */
  readonly ids: string[] = [];
  /** How many buckets were dropped from the front (a switch makes a new buffer). */
  evicted = 0;
  /** Time (unix ms) of the newest point folded into the newest bucket: an older one there leaves its `last` fields alone. */
  latest = -Infinity;
  private readonly rules: Consolidation[];

  constructor(
    readonly bucketMs: number,
    readonly fields: readonly string[],
    readonly capacity = 2000,
  ) {
    if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be a positive number of ms, got ${bucketMs}`);
    this.rules = fields.map(consolidationOf);
    this.values = fields.map(() => []);
  }

  /** Buckets held. */
  get length(): number {
    return this.t.length;
  }

  /** True when a live point reached the newest bucket (a seeded history bucket alone is not live). */
  get live(): boolean {
    return this.ids.length > 0 && this.ids[this.ids.length - 1] !== '';
  }

  /** Start (unix ms) of the bucket holding time `t`. */
  bucketOf(t: number): number {
    return bucketStart(t, this.bucketMs);
  }

  /** Starts an empty buffer from the history's newest point (time `t`, one value per field), the bucket it may still be filling. */
  seed(t: number, values: ArrayLike<number | null>): void {
    if (this.t.length > 0) throw new Error('LiveBuffer.seed: only an empty buffer can be seeded');
    this.t.push(t);
    for (let f = 0; f < this.fields.length; f++) this.values[f].push(values[f] ?? null);
    this.ids.push('');
    this.latest = t;
  }

  /** Folds one point (time in unix ms, one value per field, its event id) into the buffer. */
  push(t: number, values: ArrayLike<number | null>, id: string): PushResult {
    const n = this.t.length;
    if (n > 0) {
      const last = this.bucketOf(this.t[n - 1]);
      const bucket = this.bucketOf(t);
      if (bucket < last) return 'dropped';
      if (bucket === last) {
        const newest = t >= this.latest;
        let changed = false;
        for (let f = 0; f < this.fields.length; f++) {
          const rule = this.rules[f];
          if (rule === 'last' && !newest) continue;
          const col = this.values[f];
          const v = consolidate(rule, col[n - 1], values[f] ?? null);
          if (v !== col[n - 1]) (col[n - 1] = v), (changed = true);
        }
        if (newest) this.latest = t;
        if (!changed) return 'unchanged';
        this.ids[n - 1] = id;
        return 'updated';
      }
    }
    this.t.push(this.bucketOf(t));
    for (let f = 0; f < this.fields.length; f++) this.values[f].push(values[f] ?? null);
    this.ids.push(id);
    this.latest = t;
    if (this.t.length > this.capacity) this.dropFront(this.t.length - this.capacity);
    return 'appended';
  }

  /**
   * Folds another buffer's buckets newer than log position `after` into this one, by field name
   * (a field this buffer lacks is left out). A bucket the history already covers is skipped; one
   * that only partly overlaps it folds whole, which is harmless: max, min and the newest value give
   * the same result when a point is folded twice.
   */
  absorb(other: LiveBuffer, after: string | null): void {
    const from = other.fields;
    const picks = this.fields.map((f) => from.indexOf(f));
    const row: Array<number | null> = new Array(this.fields.length);
    for (let i = 0; i < other.length; i++) {
      const id = other.ids[i];
      if (id === '' || (after !== null && compareIds(id, after) <= 0)) continue;
      for (let f = 0; f < picks.length; f++) row[f] = picks[f] < 0 ? null : other.values[picks[f]][i];
      this.push(other.t[i], row, id);
    }
  }

  /** A copy of this buffer at another bucket width (a period switch): its buckets folded into the new ones by the same rule. */
  rebucket(bucketMs: number): LiveBuffer {
    const out = new LiveBuffer(bucketMs, this.fields, this.capacity);
    out.absorb(this, null);
    return out;
  }

  /** When the newest bucket closes (unix ms), or null when empty. */
  newestBucketEnd(): number | null {
    const n = this.t.length;
    return n === 0 ? null : this.bucketOf(this.t[n - 1]) + this.bucketMs;
  }

  private dropFront(count: number): void {
    this.t.splice(0, count);
    this.ids.splice(0, count);
    for (const v of this.values) v.splice(0, count);
    this.evicted += count;
  }
}
