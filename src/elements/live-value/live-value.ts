import { LitElement, css, html, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { defineElement } from '../define.js';
import { LiveTopicController } from '../live-topic-controller.js';
import { LiveChangeEvent } from '../shared/live-change-event.js';
import { RefreshController } from '../shared/refresh-controller.js';
import { durationMs } from '../shared/format.js';
import { SeenController } from '../shared/seen-controller.js';
import { fieldAt, formatValue, sampleText, type ValueFormat } from './value-format.js';
import { atNextSlot } from '../shared/render-slot.js';

const FLASH_MS = 1200;
const RELATIVE_REFRESH_MS = 30_000;
/** No value seen yet (undefined may be a value's missing field). */
const NOTHING = Symbol();

/**
 * One live field, formatted, inline in text: `Abyssal whip trades at <live-value topic="prices"
 * key="4151" field="high"></live-value> gp`. It inherits the surrounding font, flashes when the
 * value changes (not under `prefers-reduced-motion`) and announces changes to screen readers only
 * when `announce` is set. Off screen or in a hidden tab it keeps the value without rendering it.
 * Until the value arrives it holds a placeholder as wide as its text content (write the last
 * known value there) or, without one, as a typical value of its format, and it never narrows (a
 * value that loses a digit, an error), so the sentence around it does not reflow.
 *
 * @tag live-value
 * @summary One live number, price or time inside a sentence.
 * @slot - Placeholder text whose width is kept until the value arrives (shown as it is before the element loads).
 * @csspart value - The formatted value.
 * @csspart placeholder - The placeholder while loading.
 * @csspart error - The dash shown when the value cannot be loaded (its `title` holds the reason).
 * @csspart announcer - The polite live region (only with `announce`; visually hidden).
 * @cssproperty [--live-highlight=rgb(255 200 0 / 40%)] - Flash colour of a change.
 * @cssproperty [--live-flash-duration=1.2s] - How long a change stays highlighted.
 * @cssproperty [--live-value-placeholder=rgb(128 128 128 / 20%)] - Colour of the loading placeholder.
 * @event {LiveChangeEvent} live-change - After the shown value changed; `detail.keys` holds the key.
 */
export class LiveValue extends LitElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = {
    topic: { reflect: true },
    key: { reflect: true },
    field: {},
    format: {},
    currency: {},
    locale: {},
    label: {},
    announce: { type: Boolean },
    phase: { reflect: true },
  };

  static override styles = css`
    :host {
      display: inline;
    }
    /* Holds the placeholder, the value or the error, never narrower than it has been. */
    .box {
      display: inline-block;
      position: relative;
      isolation: isolate;
      font-variant-numeric: tabular-nums;
    }
    [part='value'],
    [part='placeholder'] {
      border-radius: 0.2em;
    }
    [part='placeholder'] {
      color: transparent;
      background: var(--live-value-placeholder, rgb(128 128 128 / 20%));
    }
    /* The flash: a highlight behind the value while it is new, not animated (see base.styles.ts). */
    @media (prefers-reduced-motion: no-preference) {
      .flash::after {
        content: '';
        position: absolute;
        inset: 0;
        z-index: -1;
        border-radius: inherit;
        background: var(--live-highlight, rgb(255 200 0 / 40%));
      }
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  `;

  /** Topic of the value (`prices`, `services`, ...). */
  topic: string | null = null;

  /** Key of the value in the topic; without one, the topic's first key. */
  key: string | null = null;

  /** Dotted path of the field to show (`high`, `status.progress`); unset: the value itself. */
  field: string | null = null;

  /** `number` (default), `currency`, `percent` (of a fraction: 0.12 → 12%), `compact` (1.2K), `relative-time` or `date` (of an ISO time or ms). */
  format: ValueFormat | null = null;

  /** ISO 4217 code for `format="currency"`. */
  currency = 'USD';

  /** BCP 47 locale for the formatting; the browser's default when unset. */
  locale: string | null = null;

  /** What the value is, for announcements ("Abyssal whip high"). */
  label: string | null = null;

  /** Announce each change politely to screen readers (off by default: most values change too often). */
  announce = false;

  /** `loading` until the value arrives, then `ready`; `error` when it cannot be loaded. Reflected for CSS. */
  phase: 'loading' | 'ready' | 'error' = 'loading';

  /** @internal */
  private readonly live = new LiveTopicController(this, { topic: () => this.topic, key: () => this.key });
  private itemsValue: ReadonlyMap<string, unknown> | null = null;
  private text = '';
  private seen: unknown = NOTHING;
  private changedNow = false;
  private flashTimer: ReturnType<typeof setTimeout> | undefined;
  /** How long a flash lasts (`--live-flash-duration`, read at the first one). */
  private flashMs: number | undefined;
  private announcement = '';

  /** Off screen or in a hidden tab, a new value is kept but not rendered nor flashed; it is rendered once when seen. */
  private readonly sight = new SeenController(this);

  constructor() {
    super();
    new RefreshController(this, RELATIVE_REFRESH_MS);
  }

  /** Renders only what is seen: a live value (or a relative time ageing) waits while unseen. */
  protected override shouldUpdate(changed: PropertyValues): boolean {
    return !(this.hasUpdated && this.phase === 'ready' && changed.size === 0 && this.sight.hold());
  }

  /** The data, key → value: the topic's, or set it (a Map or a plain object) to drive the element without a relay. */
  get items(): ReadonlyMap<string, unknown> {
    return this.itemsValue ?? this.live.items;
  }
  set items(value: ReadonlyMap<string, unknown> | Record<string, unknown> | null | undefined) {
    this.itemsValue = value instanceof Map ? value : new Map(Object.entries(value ?? {}));
    this.requestUpdate();
  }

  /** The field shown, unformatted (undefined while loading or when the value has no such field). */
  get value(): unknown {
    const items = this.items;
    return fieldAt(this.key ? items.get(this.key) : items.values().next().value, this.field);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('topic') || changed.has('key')) this.live.resubscribe();
    this.phase = this.itemsValue ? 'ready' : this.topic ? this.live.phase : 'loading';
    const value = this.value;
    this.text = this.phase === 'ready' ? formatValue(value, this.format, this.locale, this.currency, Date.now()) : '';
    // A change is a new field value after the first one, not a relative time that ages.
    this.changedNow = this.text !== '' && this.seen !== NOTHING && value !== this.seen;
    if (this.text !== '') this.seen = value;
    if (this.changedNow && this.announce) this.announcement = this.label ? `${this.label}: ${this.text}` : this.text;
  }

  protected override render(): TemplateResult {
    const inner =
      this.phase === 'error'
        ? html`<span part="error" title=${this.live.error?.message ?? ''}>–</span>`
        : this.text === ''
          ? html`<span part="placeholder" aria-hidden="true"><slot>${sampleText(this.format, this.locale, this.currency, Date.now())}</slot></span>`
          : html`<span part="value">${this.text}</span>`;
    return html`<span class="box">${inner}</span>${this.announce && this.text
        ? html`<span part="announcer" class="visually-hidden" role="status">${this.announcement}</span>`
        : ''}`;
  }

  /**
   * The box keeps the widest it has been as its `min-width`: a value that loses a digit, an error
   * or a shorter relative time leaves the words after it where they were (a value wider than
   * the placeholder moves them once).
   */
  private readonly floor = new ResizeObserver(([e]) => {
    (e.target as HTMLElement).style.minWidth = `${e.borderBoxSize[0].inlineSize}px`;
  });

  protected override firstUpdated(): void {
    this.floor.observe(this.renderRoot.querySelector('.box')!);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // After a move: the box is there (the first time, firstUpdated observes it once rendered).
    const box = this.renderRoot.querySelector('.box');
    if (box) this.floor.observe(box);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.floor.disconnect();
  }

  protected override updated(): void {
    if (!this.changedNow) return;
    this.changedNow = false;
    const el = this.renderRoot.querySelector('[part=value]');
    if (el) {
      el.classList.add('flash');
      this.flashMs ??= durationMs(getComputedStyle(this).getPropertyValue('--live-flash-duration')) ?? FLASH_MS;
      clearTimeout(this.flashTimer);
      // It ends at a render slot (a change of its own, one frame less); a newer flash outlives this one.
      const timer: ReturnType<typeof setTimeout> = (this.flashTimer = setTimeout(
        () => atNextSlot(() => timer == this.flashTimer && el.classList.remove('flash')),
        this.flashMs,
      ));
    }
    this.dispatchEvent(new LiveChangeEvent([this.key ?? '']));
  }
}

defineElement('live-value', LiveValue);

declare global {
  interface HTMLElementTagNameMap {
    'live-value': LiveValue;
  }
}
