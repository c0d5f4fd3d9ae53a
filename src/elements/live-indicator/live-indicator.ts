import { LitElement, html, nothing, type PropertyValues, type PropertyDeclarations } from 'lit';
import { LiveTopicController } from '../live-topic-controller.js';
import { RefreshController } from '../shared/refresh-controller.js';
import type { ConnectionState, ConnectionStatus } from '../../core/status.js';
import { defineElement } from '../define.js';
import { liveIndicatorStyles } from './live-indicator.styles.js';
import { relativeTime } from '../shared/format.js';

const LABELS: Record<ConnectionState, string> = {
  open: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Not connected',
};

/**
 * @tagname live-indicator
 * @summary Shows whether the live data is live: a dot, a label, how long ago the last update came
 * and the reconnection attempts.
 *
 * @csspart base - The wrapper of everything.
 * @csspart dot - The coloured status dot.
 * @csspart label - The status text (the polite live region).
 * @csspart updated - "updated 5 s ago", while live.
 * @csspart attempts - The reconnection attempt count while reconnecting.
 *
 * @cssproperty [--live-indicator-live-color=#16a34a] - Dot colour while live.
 * @cssproperty [--live-indicator-connecting-color=#ca8a04] - Dot colour while connecting.
 * @cssproperty [--live-indicator-reconnecting-color=#ea580c] - Dot colour while reconnecting.
 * @cssproperty [--live-indicator-offline-color=#6b7280] - Dot colour while offline or closed.
 * @cssproperty [--live-indicator-error-color=#dc2626] - Dot colour when the relay refused the stream.
 * @cssproperty [--live-indicator-dot-size=0.625em] - Diameter of the dot.
 * @cssproperty [--live-indicator-color=#1f2937] - Text colour (dark theme: #f3f4f6).
 * @cssproperty [--live-indicator-muted-color=#4b5563] - Colour of the secondary text (dark theme: #9ca3af).
 * @cssproperty [--live-indicator-font-size=0.875rem] - Font size.
 * @cssproperty [--live-indicator-font=inherit] - Font shorthand.
 *
 * @event live-status-change - The connection status changed; `detail` is the new ConnectionStatus.
 */
export class LiveIndicator extends LitElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = { status: { reflect: true }, error: { type: Boolean, reflect: true }, locale: {}, theme: { reflect: true }, hideUpdated: { type: Boolean, attribute: 'hide-updated' } };

  static override styles = liveIndicatorStyles;

  /** The connection status, reflected so CSS can style it: open, connecting, reconnecting, offline, closed. */
  status: ConnectionState = 'closed';

  /** Present while the relay refuses the stream (e.g. 401); the label then shows the reason. */
  error = false;

  /** BCP 47 locale for "updated … ago" (default: the page's language). */
  locale = '';

  /**
   * `light`, `dark` or `auto`: the indicator sits on the page's own background, so `auto` follows
   * the page's `color-scheme` (a page that declares `color-scheme: light dark` follows the system).
   */
  theme: 'light' | 'dark' | 'auto' = 'auto';

  /** Hides "updated … ago". */
  hideUpdated = false;

  private readonly live = new LiveTopicController(this, { topic: () => null });
  /** "updated 5 s ago" must age even when no event comes. */
  protected readonly refresh = new RefreshController(this, 1000);

  protected override willUpdate(_changed: PropertyValues<this>): void {
    const c = this.live.status;
    const previous = this.status;
    this.status = c.status;
    this.error = c.error !== null && c.status === 'closed';
    if (previous !== c.status && this.hasUpdated) {
      this.dispatchEvent(new LiveStatusChangeEvent({ ...c }));
    }
  }

  /** "updated 5 s ago" in the element's locale (or the page's language). */
  private ago(at: number): string {
    const now = Date.now();
    return relativeTime(this.locale || document.documentElement.lang, Math.min(at, now), now, 'short');
  }


  protected override render() {
    const c = this.live.status;
    const label = this.error && c.error ? `Error: ${c.error.message}` : LABELS[c.status];
    const showAttempts = c.status === 'reconnecting' && c.attempts > 0;
    // "updated … ago" only while live: a label of another width ("Reconnecting…") then has
    // nothing after it to move (a layout shift on the host page), as the attempts come and go.
    return html`<span part="base">
      <span part="dot" aria-hidden="true"></span>
      <span part="label" role="status">${label}</span>
      ${showAttempts ? html`<span part="attempts">(attempt ${c.attempts})</span>` : nothing}
      ${c.status == 'open' && c.lastEventAt !== null && !this.hideUpdated
        ? html`<span part="updated"><time datetime=${new Date(c.lastEventAt).toISOString()}>updated ${this.ago(c.lastEventAt)}</time></span>`
        : nothing}
    </span>`;
  }
}

/** Fired by `<live-indicator>` when the connection status changes. */
export class LiveStatusChangeEvent extends Event {
  constructor(readonly detail: ConnectionStatus) {
    super('live-status-change', { bubbles: true, composed: true });
  }
}

defineElement('live-indicator', LiveIndicator);

declare global {
  interface HTMLElementTagNameMap {
    'live-indicator': LiveIndicator;
  }
  interface GlobalEventHandlersEventMap {
    'live-status-change': LiveStatusChangeEvent;
  }
}
