import type { ReactiveController, ReactiveElement } from 'lit';
import type { LiveConnection } from '../../core/live-connection.js';

/**
 * Follows whether the stream of the connection an element uses is open (the chart's "● LIVE"),
 * through the element's life: from connect, at each update (a `<live-source>` may change the
 * connection), until disconnect. The element re-renders when it opens or closes.
 */
export class StreamOpenController implements ReactiveController {
  /** Whether the stream is open. */
  open = false;
  /** The connection whose status {@link open} follows, and how to stop following it. */
  private statusFrom: LiveConnection | null = null;
  private stopStatus: (() => void) | null = null;

  constructor(
    private readonly host: ReactiveElement,
    /** The connection in use now (null: none). */
    private readonly connection: () => LiveConnection | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.follow();
  }

  hostUpdate(): void {
    this.follow();
  }

  hostDisconnected(): void {
    this.follow();
  }

  private follow(): void {
    const conn = this.host.isConnected ? this.connection() : null;
    if (conn === this.statusFrom) return;
    this.stopStatus?.();
    this.statusFrom = conn;
    this.stopStatus = conn ? conn.onStatus((s) => this.setOpen(s.status === 'open')) : null;
    this.setOpen(conn?.status.status === 'open');
  }

  private setOpen(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    // A named change of the element's own (not live data): it renders even while the element is unseen.
    this.host.requestUpdate('streamOpen', !open);
  }
}
