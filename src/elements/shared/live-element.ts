import { LitElement, html, nothing, type PropertyValues, type TemplateResult, type PropertyDeclarations } from 'lit';
import type { Envelope, EventInput } from '../../core/wire.js';
import { applyEvent, LIST_LIMIT } from '../../core/wire-rules.js';
import type { LiveError } from '../../core/status.js';
import type { SyncPhase } from '../../core/topic-sync.js';
import { LiveTopicController } from '../live-topic-controller.js';
import { LiveChangeEvent } from './live-change-event.js';
import { SeenController } from './seen-controller.js';
import { durationMs } from './format.js';
import { atNextSlot } from './render-slot.js';

/** Colour scheme: `auto` follows `prefers-color-scheme`. */
export type LiveTheme = 'light' | 'dark' | 'auto';

/** How long a changed row stays highlighted, in ms, unless `--live-flash-duration` says otherwise. */
const FLASH_MS = 1500;

/**
 * What every widget has in common: the `topic`/`key`/`locale`/`theme` attributes, the `items`
 * data property (settable directly, so a framework can drive a widget without a relay), the
 * `phase` and `empty` attributes for CSS, changed-row highlighting, the `live-change` event and a
 * polite live region. Subclasses render their rows with {@link renderBody}.
 */
export abstract class LiveElement extends LitElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = {
    topic: { reflect: true },
    key: { reflect: true },
    locale: {},
    theme: { reflect: true },
    label: {},
    phase: { reflect: true },
    empty: { type: Boolean, reflect: true },
    error: { attribute: false },
    announcement: { attribute: false },
  };

  /** Topic to show (`prices`, `services`, ...). Setting it subscribes through the relay connection. */
  topic: string | null = null;

  /** One key of the topic, or none for the whole topic. */
  key: string | null = null;

  /** BCP 47 locale for numbers, dates and relative times; the browser's default when unset. */
  locale: string | null = null;

  /** Colour scheme: `light`, `dark` or `auto` (follows `prefers-color-scheme`). */
  theme: LiveTheme = 'auto';

  /** Accessible name of the widget; each widget has a sensible default. */
  label: string | null = null;

  /** `loading` until data arrives, then `ready`; `error` when it cannot be loaded. Reflected for CSS. */
  phase: SyncPhase = 'loading';

  /** True (reflected) when the data is loaded and there is nothing to show. */
  empty = false;

  /** The error shown in the error state; setting it puts the widget in the `error` phase. */
  error: LiveError | null = null;

  /** Text of the polite live region, what screen readers hear about the last change. */
  protected announcement = '';

  /**
   * The subscription behind `topic`/`key`, on the nearest `<live-source>`'s connection or the
   * page default. Ignored while `topic` is unset (the widget is then driven through `items`).
   * @internal
   */
  protected readonly live = new LiveTopicController(this, {
    topic: () => this.topic,
    key: () => this.key,
    onEvents: (events) => this.onLiveEvents(events),
    onReset: () => this.onLiveReset(),
  });

  private itemsValue: ReadonlyMap<string, unknown> = new Map();
  private seenBatch: ReadonlySet<string> | null = null;
  private readonly pendingChanged = new Set<string>();
  private readonly flashUntil = new Map<string, number>();
  private flashTimer: ReturnType<typeof setTimeout> | undefined;
  /** How long a flash lasts (`--live-flash-duration`, read at the first one). */
  private flashMs: number | undefined;

  /**
   * The data shown: key → value, as the topic's snapshot holds it. Set it (a Map or a plain
   * object) to drive the widget without a relay; it then becomes `ready`.
   */
  get items(): ReadonlyMap<string, unknown> {
    // The subscription's state is current even while an unseen widget skips rendering it.
    return this.topic ? this.live.items : this.itemsValue;
  }
  set items(value: ReadonlyMap<string, unknown> | Record<string, unknown> | null | undefined) {
    const next: ReadonlyMap<string, unknown> = value instanceof Map ? value : new Map(Object.entries(value ?? {}));
    this.takeItems(next, diffKeys(this.itemsValue, next));
    this.error = null;
    this.phase = 'ready';
  }

  /**
   * Applies events (upsert, patch, delete, append) to `items` with the relay's semantics, as the
   * stream would: for driving a widget from events a page already has.
   */
  applyEvents(events: readonly EventInput[]): void {
    const next = new Map(this.itemsValue);
    for (const e of events) applyEvent(next, e, LIST_LIMIT);
    this.takeItems(next, events.map((e) => e.key));
    this.error = null;
    this.phase = 'ready';
  }

  /** Whether the widget is seen: live batches are kept but not rendered while it is not. */
  private readonly sight = new SeenController(this);

  /** Off screen or in a hidden tab: live data is kept, not rendered. */
  protected get unseen(): boolean {
    return this.sight.unseen;
  }

  /**
   * Renders only what is seen: after the first data (rendered wherever the element is, so it
   * takes its size at once), an update that brings nothing but live data waits while the element
   * is off screen or its tab hidden. The state stays current meanwhile (`items`).
   */
  protected override shouldUpdate(changed: PropertyValues): boolean {
    // (Nothing but live data: no change, or `items` alone.)
    return !(this.hasUpdated && this.phase == 'ready' && changed.size == +changed.has('items') && this.sight.hold());
  }

  /**
   * The first render waits for a task of its own: the widgets of a page then each render in their
   * own short task, not all in the one long task that defines them (a long task blocks the host
   * page's input). A page that reserves the widget's space (see the README) sees no difference.
   */
  protected override async scheduleUpdate(): Promise<void> {
    if (!this.hasUpdated) await new Promise((r) => setTimeout(r));
    super.scheduleUpdate();
  }

  /** Replaces the data; `changed` are the keys this batch changed (highlighted, announced, in `live-change`). */
  protected takeItems(next: ReadonlyMap<string, unknown>, changed: Iterable<string>): void {
    const old = this.itemsValue;
    this.itemsValue = next;
    // The first data is not a change: nothing flashes or is announced, only later batches are.
    if (this.phase === 'ready') for (const k of changed) this.pendingChanged.add(k);
    this.requestUpdate('items', old);
  }

  /** The events of one stream batch, before the update they cause; the chart draws them. */
  protected onLiveEvents(_events: readonly Envelope[]): void {}

  /** The relay signalled loss and the state was re-read from a snapshot. */
  protected onLiveReset(): void {}

  /** Whether the row `id` is in its brief highlight after a change. */
  protected isChanged(id: string): boolean {
    const until = this.flashUntil.get(id);
    return until !== undefined && until > performance.now();
  }

  /** The widget's default accessible name. */
  protected abstract defaultLabel(): string;

  /** Whether the loaded data has nothing to show. */
  protected abstract isEmpty(): boolean;

  /**
   * Which rows to highlight for a batch that changed `keys`: the keys themselves by default; a
   * widget whose rows live inside one value (a league's teams) narrows it down.
   */
  protected flashIds(keys: readonly string[], _previous: ReadonlyMap<string, unknown>): Iterable<string> {
    return keys;
  }

  /** What changed, for screen readers; '' says nothing. */
  protected abstract describeChange(keys: readonly string[], previous: ReadonlyMap<string, unknown>): string;

  /** The data itself, when `phase` is `ready` and there is something to show. */
  protected abstract renderBody(): TemplateResult;

  private previous: ReadonlyMap<string, unknown> = new Map();

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('topic') || changed.has('key')) this.live.resubscribe();
    if (this.topic) this.takeLive();
    if (changed.has('error') && this.error) this.phase = 'error';
    this.empty = this.phase === 'ready' && this.isEmpty();
    if (this.pendingChanged.size > 0) {
      this.flashMs ??= durationMs(getComputedStyle(this).getPropertyValue('--live-flash-duration')) ?? FLASH_MS;
      const until = performance.now() + this.flashMs;
      const keys = [...this.pendingChanged];
      for (const id of this.flashIds(keys, this.previous)) this.flashUntil.set(id, until);
      const text = this.describeChange(keys, this.previous);
      if (text) this.announcement = text;
      this.flashTimer ??= setTimeout(this.endFlashes, this.flashMs + 20);
    }
  }

  /**
   * A re-render when the oldest highlight is over removes its part (so the next change flashes
   * again), then waits for the next one: each ends on time, however often new ones begin.
   */
  private endFlashes = (): void => {
    const now = performance.now();
    for (const [k, t] of this.flashUntil) if (t <= now) this.flashUntil.delete(k);
    atNextSlot(() => this.requestUpdate());
    this.flashTimer = this.flashUntil.size ? setTimeout(this.endFlashes, Math.min(...this.flashUntil.values()) - now + 20) : undefined;
  };

  /** Mirrors the subscription's state; a batch's changed keys are highlighted and announced. */
  private takeLive(): void {
    const live = this.live;
    const wasReady = this.phase === 'ready';
    this.itemsValue = live.items;
    // Each batch brings a new set: one seen before belongs to a batch already shown.
    if (live.changedKeys !== this.seenBatch) {
      this.seenBatch = live.changedKeys;
      if (wasReady && live.phase === 'ready') for (const k of live.changedKeys) this.pendingChanged.add(k);
    }
    if (this.phaseFromLive || live.phase === 'error') {
      this.phase = live.phase;
      this.error = live.error;
    }
  }

  /** Whether the subscription's phase is the widget's (the chart's is its history's instead). */
  protected get phaseFromLive(): boolean {
    return true;
  }

  protected override updated(_changed: PropertyValues): void {
    // The subscription mutates one Map in place (its values are replaced, never mutated): a
    // shallow copy is what the next batch is compared with.
    this.previous = new Map(this.itemsValue);
    const keys = [...this.pendingChanged];
    this.pendingChanged.clear();
    if (keys.length) this.dispatchEvent(new LiveChangeEvent(keys));
  }

  /**
   * The widget never shrinks, so the page below it never moves: its height becomes its
   * `min-height` (which keeps the tallest it has been; not while hidden).
   */
  private readonly heightFloor = new ResizeObserver(([e]) => {
    const h = e.borderBoxSize[0].blockSize;
    if (h) this.style.minHeight = `${h}px`;
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.heightFloor.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.flashTimer);
    this.flashTimer = undefined;
    this.heightFloor.disconnect();
  }

  /** The loading state: a skeleton the size of the data, where a widget knows it. */
  protected renderLoading(): TemplateResult {
    return html`<div class="state" part="loading">Loading…</div>`;
  }

  protected override render(): TemplateResult {
    const label = this.label ?? this.defaultLabel();
    return html`<section part="base" role="region" aria-label=${label} aria-busy=${this.phase === 'loading' ? 'true' : 'false'}>
      ${this.renderState()}
      <div part="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
    </section>`;
  }

  /**
   * What the region shows before its live region: the state (loading, error, empty) or
   * {@link renderBody}. A widget whose layout outlives the states (the chart's plot) wraps it.
   */
  protected renderState(): TemplateResult | typeof nothing {
    if (this.phase === 'loading') {
      return html`<slot name="loading">${this.renderLoading()}</slot>`;
    }
    if (this.phase === 'error') {
      return html`<div class="state" part="error" role="alert">${this.error?.message ?? 'This data could not be loaded.'}</div>`;
    }
    if (this.empty) {
      return html`<slot name="empty"><div class="state" part="empty">Nothing to show yet.</div></slot>`;
    }
    return this.renderBody();
  }
}

/** Keys whose value is not the same object in `a` and `b` (added, removed or replaced). */
function diffKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of b) if (a.get(k) !== v) out.push(k);
  for (const k of a.keys()) if (!b.has(k)) out.push(k);
  return out;
}
