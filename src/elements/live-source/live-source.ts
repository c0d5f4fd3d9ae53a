import { LitElement, css, html, type PropertyValues, type PropertyDeclarations } from 'lit';
import { getConnection } from '../../core/configure.js';
import type { TokenFunction } from '../../core/token.js';
import { ContextProvider } from '@lit/context';
import { liveConnectionContext } from '../live-context.js';
import { defineElement } from '../define.js';

/**
 * @tagname live-source
 * @summary Provides a relay connection to every live element inside it.
 *
 * Elements inside subscribe through this source's relay and token instead of the page default.
 * Sources with the same relay and token share one connection; pages of the same reader (the
 * token's `sub`) share one stream per browser, pages of different readers never do.
 *
 * @slot - The live elements that use this relay.
 */
export class LiveSource extends LitElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = { relay: {}, token: {}, worker: {} };

  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The relay's base URL, e.g. `https://relay.example.com`. */
  relay = '';

  /**
   * Subscriber token for private topics (a JWT, sent as `Authorization: Bearer`). As a property
   * it may also be an async function returning a fresh token, called again before each token's `exp`.
   */
  token: string | TokenFunction = '';

  /** URL of a same-origin copy of the connection worker; `false` never uses a SharedWorker. */
  worker = '';

  private readonly provider = new ContextProvider(this, { context: liveConnectionContext });

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('relay') && !changed.has('token') && !changed.has('worker')) return;
    if (!this.relay) {
      this.provider.setValue(undefined);
      return;
    }
    this.provider.setValue(
      getConnection({
        relay: this.relay,
        token: this.token || null,
        worker: this.worker === 'false' ? false : this.worker || undefined,
      }),
    );
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}

defineElement('live-source', LiveSource);

declare global {
  interface HTMLElementTagNameMap {
    'live-source': LiveSource;
  }
}
