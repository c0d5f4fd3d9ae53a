import { applyEvent, compareIds } from '../../src/core/wire.js';
import type { Envelope, ResetEvent, TopicSnapshot } from '../../src/core/wire.js';
import { connectStream, type Frame } from './sse-stream.js';

/** What one client holds for one topic. */
export interface TopicView {
  /** Ids of the change events received, in arrival order (since the start, reset or not). */
  readonly ids: string[];
  /** The topic's state as the client built it: snapshot after a reset, then the events. */
  readonly state: Map<string, unknown>;
  /** How many `reset` frames named this topic. */
  resets: number;
}

export interface ResumingClientOptions {
  /** Relay base URL. */
  url: string;
  topics: readonly string[];
  /** LIST_LIMIT of the relay, so `append` lists are cut the same way. */
  listLimit: number;
}

/**
 * A stream client that behaves like the browser kit's: resumes with `Last-Event-ID` after every
 * drop, and on `reset` re-reads the named topics' snapshots (hybrid sync: events at or before the
 * snapshot's position are skipped, later ones applied). It records enough to check, at the end,
 * that it saw every event exactly once or was told it had to re-sync.
 */
export class ResumingClient {
  readonly views = new Map<string, TopicView>();
  /** The last `id:` received: where the next connection resumes. */
  lastEventId: string | undefined;
  connects = 0;
  /** Aborts the connection open or being opened; null while offline. */
  private connection: AbortController | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** Topics re-reading their snapshot: events are held until it arrives. */
  private readonly resyncing = new Map<string, Envelope[]>();
  private readonly pendingResyncs = new Set<Promise<void>>();

  constructor(private readonly options: ResumingClientOptions) {
    for (const t of options.topics) this.views.set(t, { ids: [], state: new Map(), resets: 0 });
  }

  /** Opens the stream; resolves once `connected` arrived. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const connection = new AbortController();
      this.connection = connection;
      this.connects++;
      let connected = false;
      const onFrame = (ev: Frame) => {
        if (ev.id !== undefined && ev.id !== '') this.lastEventId = ev.id;
        if (ev.event === 'connected' && !connected) {
          connected = true;
          resolve();
        } else if (ev.event === 'change') this.onChange(JSON.parse(ev.data) as Envelope);
        else if (ev.event === 'reset') this.onReset(JSON.parse(ev.data) as ResetEvent);
      };
      const topics = this.options.topics.join(',');
      // Each stream has a socket of its own (fetch never shares one between open responses), so a
      // drop is one client's drop.
      connectStream(this.options.url, { topics, lastEventId: this.lastEventId }, { onFrame, onEnd: () => this.onClosed(connection) }, connection.signal).then(
        (res) => {
          if (res.status !== 200) reject(new Error(`stream answered ${res.status} for ${this.options.url}/v1/events?topics=${topics}`));
        },
        (err: unknown) => {
          if (!connected) reject(err);
          this.onClosed(connection);
        },
      );
    });
  }

  /** Cuts the connection the way a network drop would; it reconnects after `delay` resolves. */
  drop(delay: () => Promise<unknown>): void {
    const connection = this.connection;
    this.connection = null;
    connection?.abort();
    void delay().then(() => this.reconnect());
  }

  /** Closes for good and waits for snapshot reads still in flight. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.connection?.abort();
    this.connection = null;
    await Promise.all([...this.pendingResyncs]);
  }

  /** True while a connection is open or being opened. */
  get online(): boolean {
    return this.connection !== null;
  }

  private onClosed(connection: AbortController): void {
    // A close the relay caused (timeout, eviction) reconnects like the browser would; our own drops
    // have already cleared this.connection.
    if (this.connection !== connection || this.stopped) return;
    this.connection = null;
    this.reconnectTimer = setTimeout(() => this.reconnect(), 50);
  }

  private reconnect(): void {
    if (this.stopped || this.connection) return;
    this.connect().catch(() => {
      this.connection = null;
      if (!this.stopped) this.reconnectTimer = setTimeout(() => this.reconnect(), 200);
    });
  }

  private onChange(e: Envelope): void {
    const view = this.views.get(e.topic);
    if (!view) throw new Error(`a change for topic ${e.topic} this client did not select`);
    view.ids.push(e.id);
    const held = this.resyncing.get(e.topic);
    if (held) held.push(e);
    else applyEvent(view.state, e, this.options.listLimit);
  }

  private onReset(body: ResetEvent): void {
    for (const topic of body.topics) {
      const view = this.views.get(topic);
      if (!view) continue;
      view.resets++;
      if (this.resyncing.has(topic)) continue;
      this.resyncing.set(topic, []);
      const p = this.resync(topic, view).finally(() => this.pendingResyncs.delete(p));
      this.pendingResyncs.add(p);
    }
  }

  private async resync(topic: string, view: TopicView): Promise<void> {
    const res = await fetch(`${this.options.url}/v1/topics/${topic}`);
    const snap = (await res.json()) as TopicSnapshot;
    view.state.clear();
    for (const [k, v] of Object.entries(snap.items)) view.state.set(k, v);
    for (const e of this.resyncing.get(topic) ?? []) {
      if (snap.lastEventId === null || compareIds(e.id, snap.lastEventId) > 0) applyEvent(view.state, e, this.options.listLimit);
    }
    this.resyncing.delete(topic);
  }
}
