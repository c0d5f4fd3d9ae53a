import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Envelope } from '../core/wire.js';
import { parseSelector } from '../core/wire-rules.js';
import { getConnection } from '../core/configure.js';
import type { LiveConnection, LiveSubscription } from '../core/live-connection.js';
import { atNextSlot } from './shared/render-slot.js';
import type { SyncBatch, SyncPhase } from '../core/topic-sync.js';
import { IDLE_STATUS, type ConnectionStatus, type LiveError } from '../core/status.js';
import { ContextConsumer } from '@lit/context';
import { liveConnectionContext } from './live-context.js';

/** What a {@link LiveTopicController} follows and whom it tells. */
export interface LiveTopicOptions {
  /** The topic to follow (read at connect and on {@link LiveTopicController.resubscribe}); null: none. */
  topic: () => string | null;
  /** Narrows the subscription to one key of the topic. */
  key?: () => string | null | undefined;
  /** The events applied in one batch, in id order; called before the host's update is requested. */
  onEvents?(events: readonly Envelope[]): void;
  /** The state was replaced by a re-read snapshot after the relay signalled loss (`reset`). */
  onReset?(): void;
}

const EMPTY: ReadonlyMap<string, unknown> = new Map();
const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Subscribes its host to a topic (or one key of it) on the shared connection: subscribes in
 * `hostConnected`, releases in `hostDisconnected`, and requests ONE host update per batch of
 * events however many arrived. The connection is the nearest `<live-source>`'s, else the page
 * default (the script tag's `data-relay` or `configure()`).
 */
export class LiveTopicController implements ReactiveController {
  /** The state of the selection, key → value. */
  items: ReadonlyMap<string, unknown> = EMPTY;
  /** `loading` until the snapshot is in; `error` when it cannot be (see {@link error}). */
  phase: SyncPhase = 'loading';
  /** Why the phase is `error` (or the last snapshot failure while retrying). */
  error: LiveError | null = null;
  /** Keys changed by the last batch. */
  changedKeys: ReadonlySet<string> = NO_KEYS;
  /** The shared stream's status. */
  status: ConnectionStatus = IDLE_STATUS;

  /** The nearest `<live-source>`'s connection (undefined: none, use the page default). */
  private provided: LiveConnection | undefined;
  private subscription: LiveSubscription | null = null;
  private stopStatus: (() => void) | null = null;
  private isConnected = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly options: LiveTopicOptions,
  ) {
    // Added first, so the nearest source has answered by the time this controller connects.
    new ContextConsumer(host, { context: liveConnectionContext, subscribe: true, callback: this.onSource });
    host.addController(this);
  }

  /** The connection in use (null before connect or when none is configured). Read-only. */
  liveConnection: LiveConnection | null = null;
  private following = '';

  hostConnected(): void {
    this.isConnected = true;
    this.resubscribe();
  }

  hostDisconnected(): void {
    this.isConnected = false;
    // The consumer stops hearing of the source's changes; a move elsewhere asks again.
    this.provided = undefined;
    this.release();
  }

  /** The nearest source answered (at connect), or its connection changed. */
  private readonly onSource = (conn: LiveConnection | undefined): void => {
    if (conn === this.provided) return;
    this.provided = conn;
    if (this.isConnected) this.resubscribe();
  };

  /**
   * Follows the topic and key the options return now. Call it from the host's `willUpdate` when
   * they change; it does nothing when neither they nor the connection changed.
   */
  resubscribe(): void {
    if (!this.isConnected) return this.release();
    let conn: LiveConnection;
    try {
      conn = this.provided ?? getConnection();
    } catch (err) {
      this.release();
      return this.fail({ code: 'no_relay', message: (err as Error).message });
    }
    const topic = this.options.topic();
    const key = this.options.key?.() ?? null;
    const wanted = `${topic ?? ''}/${key ?? ''}`;
    if (this.subscription && conn === this.liveConnection && wanted === this.following) return;
    this.release();
    this.following = wanted;
    this.liveConnection = conn;
    this.status = conn.status;
    this.stopStatus = conn.onStatus((status) => {
      // Only a host without a topic (the indicator) shows the status, and it re-renders when the
      // connection's state changes. Every event moves lastEventAt: a widget re-renders with its
      // own batches, and the indicator ages its "updated … ago" once a second (its refresh).
      if (!topic && status.lastEventAt == this.status.lastEventAt) this.host.requestUpdate();
      this.status = status;
    });
    if (!topic) {
      return this.fail({ code: 'no_topic', message: 'no topic to show: set the element\'s topic attribute, e.g. topic="prices"' });
    }
    const selector = key ? `${topic}/${key}` : topic;
    try {
      parseSelector(selector);
    } catch (err) {
      return this.fail({ code: 'bad_selector', message: (err as Error).message });
    }
    this.changedKeys = NO_KEYS;
    this.subscription = conn.subscribe(selector, (batch) => this.onBatch(batch));
    this.items = this.subscription.items;
    this.phase = this.subscription.phase;
    this.error = this.subscription.error;
    this.host.requestUpdate();
  }

  private onBatch(batch: SyncBatch): void {
    const sub = this.subscription;
    if (!sub) return;
    const live = this.phase == 'ready';
    this.items = sub.items;
    this.phase = sub.phase;
    this.error = sub.error;
    // Batches that wait for the same render slot are shown as one: their changed keys add up.
    this.changedKeys = this.slotted ? new Set([...this.changedKeys, ...batch.changedKeys]) : batch.changedKeys;
    if (batch.events.length > 0) this.options.onEvents?.(batch.events);
    if (batch.reset) this.options.onReset?.();
    // A batch after the first data waits for the page's next render slot (see render-slot.ts).
    if (!live) this.host.requestUpdate();
    else if (!this.slotted) {
      this.slotted = true;
      atNextSlot(() => {
        this.slotted = false;
        this.host.requestUpdate();
      });
    }
  }
  /** A live batch waits for the next render slot. */
  private slotted = false;

  private fail(error: LiveError): void {
    this.phase = 'error';
    this.error = error;
    this.items = EMPTY;
    this.changedKeys = NO_KEYS;
    this.host.requestUpdate();
  }

  private release(): void {
    this.subscription?.release();
    this.subscription = null;
    this.stopStatus?.();
    this.stopStatus = null;
  }
}
