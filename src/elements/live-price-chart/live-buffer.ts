/** What {@link LiveBuffer.push} did with a point. */
export type PushResult = 'updated' | 'appended' | 'dropped';

/**
 * The live points of a chart, consolidated per bucket: a point in the newest bucket replaces that
 * bucket's values in place (its time moves to the point's), a point in a later bucket appends one,
 * a point older than the newest bucket is dropped (the chart only moves forward). Bounded: past
 * `capacity` buckets the oldest goes. Plain arrays and no allocation per updated point, because
 * it sees every live event.
 */
export class LiveBuffer {
  /** Time of each bucket's latest point, unix ms, ascending. */
  readonly t: number[] = [];
  /** Per field, each bucket's latest value. */
  readonly values: Array<Array<number | null>>;
  /** Per bucket, the id of the latest event folded into it. */
  readonly ids: string[] = [];
  /** How many buckets were dropped from the front since the last {@link clear}. */
  evicted = 0;

  constructor(
    readonly bucketMs: number,
    readonly fieldCount: number,
    readonly capacity = 2000,
  ) {
    if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be a positive number of ms, got ${bucketMs}`);
    this.values = Array.from({ length: fieldCount }, () => []);
  }

  /** Buckets held. */
  get length(): number {
    return this.t.length;
  }

  /** Start (unix ms) of the bucket holding time `t`. */
  bucketOf(t: number): number {
    return Math.floor(t / this.bucketMs) * this.bucketMs;
  }

  /** Folds one point (time in unix ms, one value per field, its event id) into the buffer. */
  push(t: number, values: ArrayLike<number | null>, id: string): PushResult {
    const n = this.t.length;
    if (n > 0) {
      const last = this.bucketOf(this.t[n - 1]);
      const bucket = this.bucketOf(t);
      if (bucket < last) return 'dropped';
      if (bucket === last) {
        if (t < this.t[n - 1]) return 'dropped';
        this.t[n - 1] = t;
        for (let f = 0; f < this.fieldCount; f++) this.values[f][n - 1] = values[f] ?? null;
        this.ids[n - 1] = id;
        return 'updated';
      }
    }
    this.t.push(t);
    for (let f = 0; f < this.fieldCount; f++) this.values[f].push(values[f] ?? null);
    this.ids.push(id);
    if (this.t.length > this.capacity) this.dropFront(this.t.length - this.capacity);
    return 'appended';
  }

  /** Empties the buffer (period or key switch). */
  clear(): void {
    this.t.length = 0;
    this.ids.length = 0;
    for (const v of this.values) v.length = 0;
    this.evicted = 0;
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
