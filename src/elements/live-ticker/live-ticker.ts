import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { defineElement } from '../define.js';
import { baseStyles } from '../shared/base.styles.js';
import { dateFormat, numberFormat, timeMs } from '../shared/format.js';
import { LiveElement } from '../shared/live-element.js';
import { liveTickerStyles } from './live-ticker.styles.js';
import { direction, gameStatus, isGame, isTrade, type TickerGame, type TickerTrade } from './ticker-items.js';

/** How far one arrow key moves the ticker, as a share of its visible width. */
const KEY_STEP = 1 / 3;

/**
 * A horizontally scrolling ticker of trades (`topic="trades"`: symbol, price, change and change %
 * in up/down colours) or games (`topic="games"`: teams, score, and scheduled with its start time,
 * live with period and clock, or final). It scrolls continuously by a compositor-only transform,
 * pauses on hover, on focus and with its pause button, and while it is unseen (off screen or in a
 * hidden tab; it then skips rendering too). Focused, the arrow keys move it and Home goes back to
 * the start. Under `prefers-reduced-motion`, or when everything fits, it is a static list that
 * can be scrolled. A changed item is highlighted for a moment (a steady highlight, not animated;
 * none under reduced motion). Each figure has room for its usual widths and keeps the widest it
 * has been, so a price, score or game status that changes never moves the items after it.
 *
 * @tag live-ticker
 * @summary A scrolling ticker of live trades or games.
 * @slot empty - Shown when there is nothing to show.
 * @slot loading - Shown while the items load.
 * @csspart base - The region around everything.
 * @csspart viewport - The visible window of the ticker (focusable).
 * @csspart track - What scrolls: the list, twice, for a seamless loop.
 * @csspart list - A copy of the list of items.
 * @csspart item - An item; also `trade` or `game`, and `item-changed` during its flash.
 * @csspart item-changed - An item in its brief highlight after a change.
 * @csspart trade - A trade item (its `data-direction` is up, down or flat).
 * @csspart game - A game item (its `data-status` is scheduled, live or final).
 * @csspart symbol - A trade's symbol.
 * @csspart price - A trade's price.
 * @csspart change - A trade's change, signed.
 * @csspart change-percent - A trade's change in percent, signed.
 * @csspart team - A team's name (its short name when set).
 * @csspart score - A team's score.
 * @csspart status - A game's status: start time, period and clock, or final.
 * @csspart pause-button - The button that pauses and resumes the scrolling.
 * @csspart loading - The default loading text.
 * @csspart empty - The default empty text.
 * @csspart error - The error message.
 * @csspart announcer - The polite live region (visually hidden).
 * @cssproperty [--live-bg=#ffffff] - Background (dark theme: #16191d).
 * @cssproperty [--live-fg=#1b1f24] - Text colour (dark theme: #e6e9ed).
 * @cssproperty [--live-muted=#5c6670] - Game status, button (dark theme: #9aa4ae).
 * @cssproperty [--live-up=#2e7d32] - Colour of a rise (dark theme: #5fd068).
 * @cssproperty [--live-down=#c62828] - Colour of a fall, and of a live game's status (dark theme: #ff6b6b).
 * @cssproperty [--live-highlight=#fff3bf] - Flash colour of a changed item (dark theme: #4a3f00).
 * @cssproperty [--live-flash-duration=1.5s] - How long a change stays highlighted.
 * @cssproperty [--live-font=14px/1.4 system-ui, sans-serif] - Font.
 * @cssproperty [--live-ticker-gap=2em] - Space between items.
 * @cssproperty [--live-ticker-height=2.5rem] - Height, the same in every state: reserve it in the page (`live-ticker { display: block; height: 2.5rem }`) so nothing shifts while it loads.
 * @event {LiveChangeEvent} live-change - After a batch changed items; `detail.keys` are their keys.
 */
export class LiveTicker extends LiveElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = {
    speed: { type: Number },
    paused: { type: Boolean, reflect: true },
    scrolling: { type: Boolean, reflect: true },
  };

  static override styles = [baseStyles, liveTickerStyles];

  /** Scrolling speed in CSS pixels per second. */
  speed = 60;

  /** Stops the scrolling (the pause button toggles it). Reflected. */
  paused = false;

  /** Set by the ticker (reflected) while its items are wider than it and so scroll. */
  scrolling = false;

  private copyWidth = 0;
  // Measured in the next frame: a re-render from inside the observer's callback (the pause button
  // appearing narrows the viewport) would be a ResizeObserver loop.
  private readonly resize = new ResizeObserver(() => requestAnimationFrame(() => this.measure()));

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    this.floor.disconnect();
    this.floored = new WeakSet();
    this.observed = null;
  }

  protected override defaultLabel(): string {
    return this.topic === 'games' ? 'Games ticker' : 'Ticker';
  }

  private entries(): Array<[string, TickerTrade | TickerGame]> {
    const out: Array<[string, TickerTrade | TickerGame]> = [];
    for (const [k, v] of this.items) if ((!this.key || k === this.key) && (isTrade(v) || isGame(v))) out.push([k, v]);
    return out;
  }

  protected override isEmpty(): boolean {
    return this.entries().length === 0;
  }

  protected override describeChange(keys: readonly string[], previous: ReadonlyMap<string, unknown>): string {
    // Prices change too often to be read out; a game starting or ending is news.
    const parts: string[] = [];
    for (const k of keys) {
      const now = this.items.get(k);
      const before = previous.get(k);
      if (isGame(now) && (!isGame(before) || gameStatus(before) !== gameStatus(now)) && gameStatus(now) !== 'scheduled') {
        parts.push(`${now.home.name} ${now.home.score ?? 0}, ${now.away.name} ${now.away.score ?? 0}, ${gameStatus(now) === 'final' ? 'final' : 'started'}`);
      }
    }
    return parts.join('; ');
  }

  protected override renderBody(): TemplateResult {
    const entries = this.entries();
    const list = (copy: boolean) => html`<ul part="list" aria-hidden=${copy ? 'true' : 'false'} ?inert=${copy}>
      ${entries.map(([k, v]) => (isTrade(v) ? this.renderTrade(k, v) : this.renderGame(k, v as TickerGame)))}
    </ul>`;
    return html`<div class="bar">
      <div
        part="viewport"
        class="viewport"
        tabindex="0"
        role="marquee"
        aria-label=${`${this.label ?? this.defaultLabel()}: use the left and right arrow keys to move it`}
        @keydown=${this.onKey}
      >
        <div part="track" class="track">${list(false)}${this.scrolling ? list(true) : ''}</div>
      </div>
      <button part="pause-button" type="button" aria-pressed=${this.paused ? 'true' : 'false'} @click=${() => (this.paused = !this.paused)}>
        ${this.paused ? 'Play' : 'Pause'}
      </button>
    </div>`;
  }

  /** An item's parts; `item-changed` makes it flash (the shared styles). */
  private itemPart(k: string, kind: string): string {
    return `item ${kind}${this.isChanged(k) ? ' item-changed' : ''}`;
  }

  private renderTrade(k: string, t: TickerTrade): TemplateResult {
    const part = this.itemPart(k, 'trade');
    const money = priceFormat(this.locale, t.currency);
    const signed = numberFormat(this.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
    const pct = numberFormat(this.locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
    const dir = direction(t);
    return html`<li part=${part} data-key=${k} data-direction=${dir} title=${t.name ?? ''}>
      <span part="symbol">${t.symbol}</span>
      <span part="price">${safeFormat(money, t.price)}</span>
      ${typeof t.change === 'number'
        ? html`<span part="change"><span class="arrow" aria-hidden="true">${dir === 'up' ? '▲' : dir === 'down' ? '▼' : ''}</span>${signed.format(t.change)}</span>`
        : ''}
      ${typeof t.changePercent === 'number' ? html`<span part="change-percent">${pct.format(t.changePercent / 100)}</span>` : ''}
    </li>`;
  }

  private renderGame(k: string, g: TickerGame): TemplateResult {
    const part = this.itemPart(k, 'game');
    const status = gameStatus(g);
    const n = numberFormat(this.locale);
    // A scheduled game keeps its scores' room (empty), so kick-off moves nothing.
    const scheduled = status === 'scheduled';
    const score = (s: number | undefined) => html`<span part=${scheduled ? nothing : 'score'} class="score">${scheduled ? '' : n.format(s ?? 0)}</span>`;
    return html`<li part=${part} data-key=${k} data-status=${status}>
      <span part="team" title=${g.away.name}>${g.away.abbr ?? g.away.name}</span>${score(g.away.score)}
      <span class="vs" aria-hidden="true">${scheduled ? '@' : '–'}</span>
      ${score(g.home.score)}<span part="team" title=${g.home.name}>${g.home.abbr ?? g.home.name}</span>
      <span part="status" data-widest=${this.widestStatus()}>${this.statusText(g, status)}</span>
    </li>`;
  }

  /** A wide start time in the status's format (a Wednesday, 12:45): the room every status keeps. */
  private widestStatus(): string {
    return dateFormat(this.locale, { weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(new Date(2026, 0, 7, 12, 45));
  }

  private statusText(g: TickerGame, status: TickerGame['status']): string {
    if (status === 'final') return 'Final';
    if (status === 'live') return [g.period, g.clock].filter(Boolean).join(' ') || 'Live';
    const t = timeMs(g.startsAt);
    return t === null ? 'Scheduled' : dateFormat(this.locale, { weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(t);
  }

  private durationS(): number {
    return Math.max(5, Math.round((this.copyWidth / Math.max(1, this.speed)) * 10) / 10);
  }

  /**
   * Every part of an item keeps the widest it has been as its `min-width`: an item never narrows,
   * so the items after it never move (a wider one grows once).
   */
  private readonly floor = new ResizeObserver((entries) => {
    for (const e of entries) (e.target as HTMLElement).style.minWidth = `${e.borderBoxSize[0].inlineSize}px`;
  });
  private floored = new WeakSet<Element>();

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    for (const part of this.renderRoot.querySelectorAll('li > span')) {
      if (this.floored.has(part)) continue;
      this.floored.add(part);
      this.floor.observe(part);
    }
    // Through the CSSOM, not a style="" attribute: pages with a strict style-src allow only this.
    // Only when it changed: a custom property set on the track restyles every item in it.
    const seconds = this.durationS();
    if (changedDuration(this.renderRoot, seconds)) this.renderRoot.querySelector<HTMLElement>('.track')!.style.setProperty('--_duration', `${seconds}s`);
    // The list is replaced only when the state changes (loading → ready ...): observe the new one.
    const copy = this.renderRoot.querySelector('ul');
    if (copy === this.observed) return;
    this.observed = copy;
    this.resize.disconnect();
    const viewport = this.renderRoot.querySelector('.viewport');
    if (copy && viewport) {
      this.resize.observe(copy);
      this.resize.observe(viewport);
    }
  }
  private observed: Element | null = null;

  /** Scrolls only when the items are wider than the ticker; the duration keeps `speed` constant. */
  private measure(): void {
    const copy = this.renderRoot.querySelector('ul');
    const viewport = this.renderRoot.querySelector('.viewport');
    if (!copy || !viewport) return;
    const width = copy.getBoundingClientRect().width;
    // Small width changes (a price gaining a digit) keep the duration: a new one would jump the track.
    if (Math.abs(width - this.copyWidth) > this.copyWidth * 0.05) this.copyWidth = width;
    const scrolling = width > viewport.clientWidth;
    if (scrolling !== this.scrolling || changedDuration(this.renderRoot, this.durationS())) {
      this.scrolling = scrolling;
      this.requestUpdate();
    }
  }

  private readonly onKey = (e: KeyboardEvent) => {
    const track = this.renderRoot.querySelector<HTMLElement>('.track');
    const animation = track?.getAnimations()[0];
    // Without the animation (reduced motion, everything fits) the viewport scrolls natively.
    if (!animation || !this.scrolling) return;
    const total = this.durationS() * 1000;
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (e.key === 'Home') animation.currentTime = 0;
    else if (step === 0) return;
    else {
      const width = (e.currentTarget as HTMLElement).clientWidth;
      const now = Number(animation.currentTime ?? 0);
      animation.currentTime = (((now + step * ((width * KEY_STEP) / this.speed) * 1000) % total) + total) % total;
    }
    e.preventDefault();
  };
}

/** Whether the track's duration differs from `seconds` (so a render is needed). */
function changedDuration(root: ParentNode, seconds: number): boolean {
  const track = root.querySelector<HTMLElement>('.track');
  return !!track && track.style.getPropertyValue('--_duration') !== `${seconds}s`;
}

/** Money in `currency` when it is a code Intl knows, else a plain price with two decimals. */
function priceFormat(locale: string | null, currency: string | undefined): Intl.NumberFormat {
  if (currency) {
    try {
      return numberFormat(locale, { style: 'currency', currency });
    } catch {
      // An unknown currency code (RangeError): the plain price below.
    }
  }
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function safeFormat(f: Intl.NumberFormat, n: number): string {
  return Number.isFinite(n) ? f.format(n) : '';
}

defineElement('live-ticker', LiveTicker);

declare global {
  interface HTMLElementTagNameMap {
    'live-ticker': LiveTicker;
  }
}
