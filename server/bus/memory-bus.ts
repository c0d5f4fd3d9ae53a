import { applyEvent, compareIds, parseId, ORIGIN_ID } from '../../src/core/wire.js';
import type { Envelope, Selector, TopicSnapshot } from '../../src/core/wire.js';
import type { AppendInput, AppendResult, Bus, BusListener, BusOptions, ReadSinceResult } from './bus.js';
import { encodeValue } from './encode-value.js';
import { itemsObject } from './items-object.js';
import { Listeners } from './listeners.js';
import { SelectorIndex } from './selector-index.js';
import { rememberEnvelopeJson } from './envelope-json.js';

/**
 * The bus for one relay process: a ring buffer of the last `historySize` events and one state map
 * per topic. Every method works on in-memory data synchronously, so each call is atomic by itself;
 * the async signatures only match {@link Bus}.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;

  private readonly ring: (Envelope | undefined)[];
  /** Index of the oldest retained event in {@link ring}. */
  private head = 0;
  private size = 0;
  /** Id of the newest event ever trimmed from the ring; ORIGIN_ID while nothing was trimmed. */
  private floor = ORIGIN_ID;
  private lastMs = 0;
  private lastSeq = -1;
  private readonly topics = new Map<string, Map<string, unknown>>();
  /** dedupe key → expiry (ms). Insertion order is expiry order because the TTL is constant. */
  private readonly dedupe = new Map<string, number>();
  /** One faulty listener must not starve the others or fail the publisher's append. */
  private readonly listeners = new Listeners<[events: readonly Envelope[]]>('MemoryBus');

  constructor(private readonly options: BusOptions) {
    if (!(options.historySize >= 1)) throw new RangeError(`MemoryBus: historySize must be at least 1, got ${options.historySize}`);
    this.ring = new Array(options.historySize);
  }

  async append(inputs: readonly AppendInput[]): Promise<AppendResult> {
    const now = Date.now();
    this.pruneDedupe(now);
    // Decide every skip before changing anything, so a bad input cannot leave the batch half applied.
    const accepted: AppendInput[] = [];
    const newKeys = new Set<string>();
    let duplicates = 0;
    for (const input of inputs) {
      if (input.dedupeKey !== undefined) {
        if (this.dedupe.has(input.dedupeKey) || newKeys.has(input.dedupeKey)) {
          duplicates++;
          continue;
        }
        newKeys.add(input.dedupeKey);
      }
      accepted.push(input);
    }
    // Encoded once, before anything changes: what is stored can always be sent.
    const json = accepted.map((input) => (input.op === 'delete' ? undefined : (input.dataJson ?? encodeValue(input.data))));
    const time = new Date(now).toISOString();
    const events: Envelope[] = new Array(accepted.length);
    for (let i = 0; i < accepted.length; i++) {
      const { topic, key, op, data } = accepted[i];
      const env: Envelope = op === 'delete' ? { id: this.nextId(now), topic, key, op, time } : { id: this.nextId(now), topic, key, op, data, time };
      rememberEnvelopeJson(env, json[i]);
      events[i] = env;
      let state = this.topics.get(topic);
      if (!state) this.topics.set(topic, (state = new Map()));
      applyEvent(state, env, this.options.listLimit);
      this.push(env);
    }
    const expires = now + this.options.dedupeTtlMs;
    for (const k of newKeys) this.dedupe.set(k, expires);
    if (events.length > 0) this.listeners.emit(events);
    return { events, duplicates };
  }

  async snapshot(topic: string, keys?: readonly string[]): Promise<TopicSnapshot> {
    const state = this.topics.get(topic);
    const entries: [string, unknown][] = [];
    if (state) {
      if (keys) {
        for (const k of keys) if (state.has(k)) entries.push([k, state.get(k)]);
      } else {
        entries.push(...state);
      }
    }
    return { topic, lastEventId: this.lastIdSync(), items: itemsObject(entries) };
  }

  async readSince(afterId: string, selectors: readonly Selector[]): Promise<ReadSinceResult> {
    if (!parseId(afterId)) return { ok: false, reason: 'epoch' };
    const last = this.lastIdSync();
    let start: number;
    if (afterId === this.floor) {
      start = 0;
    } else if (last === null || compareIds(afterId, last) > 0) {
      return { ok: false, reason: 'epoch' };
    } else if (compareIds(afterId, this.floor) < 0) {
      return { ok: false, reason: 'expired' };
    } else {
      const at = this.indexOf(afterId);
      // In range but not an id this log ever issued: it came from another log.
      if (at < 0) return { ok: false, reason: 'epoch' };
      start = at + 1;
    }
    const events: Envelope[] = [];
    const cap = this.ring.length;
    const wanted = new SelectorIndex(selectors);
    for (let i = start; i < this.size; i++) {
      const e = this.ring[(this.head + i) % cap]!;
      if (wanted.matches(e.topic, e.key)) events.push(e);
    }
    return { ok: true, events };
  }

  async lastId(): Promise<string | null> {
    return this.lastIdSync();
  }

  subscribe(listener: BusListener): () => void {
    return this.listeners.add(listener);
  }

  onEpochChange(_listener: () => void): () => void {
    // One process owns this log for its whole life: its epoch never changes.
    return () => {};
  }

  onTrimmed(_listener: (floor: string) => void): () => void {
    // Every event reaches the listeners in the append that stores it, before anything can trim it.
    return () => {};
  }

  isReady(): boolean {
    return true;
  }

  onReadyChange(_listener: (ready: boolean) => void): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private lastIdSync(): string | null {
    return this.size === 0 ? (this.floor === ORIGIN_ID ? null : this.floor) : this.ring[(this.head + this.size - 1) % this.ring.length]!.id;
  }

  /** Strictly increasing even when the wall clock steps back: then the sequence part grows. */
  private nextId(now: number): string {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastSeq = 0;
    } else {
      this.lastSeq++;
    }
    return `${this.lastMs}-${this.lastSeq}`;
  }

  private push(env: Envelope): void {
    const cap = this.ring.length;
    if (this.size < cap) {
      this.ring[(this.head + this.size) % cap] = env;
      this.size++;
      return;
    }
    this.floor = this.ring[this.head]!.id;
    this.ring[this.head] = env;
    this.head = (this.head + 1) % cap;
  }

  /** Binary search over the retained events (ids ascend); -1 when absent. */
  private indexOf(id: string): number {
    const cap = this.ring.length;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareIds(this.ring[(this.head + mid) % cap]!.id, id);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private pruneDedupe(now: number): void {
    for (const [k, expires] of this.dedupe) {
      if (expires > now) break;
      this.dedupe.delete(k);
    }
  }
}
