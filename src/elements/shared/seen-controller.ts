import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Render only what is seen: follows whether its host is on screen (IntersectionObserver) and its
 * tab visible (`visibilitychange`). While unseen, the host holds back updates that bring nothing
 * but live data ({@link hold}); one update catches up when it is seen again. `data-unseen` on the
 * host lets its CSS pause endless animations, which a page told it is hidden may still run.
 * @internal
 */
export class SeenController implements ReactiveController {
  // (Both start undefined, read as false: no initializers, fewer bytes on every page.)
  /** Out of the viewport. */
  private offScreen?: boolean;
  /** An update was held back while unseen. */
  private stale?: boolean;
  private readonly screen = new IntersectionObserver((e) => {
    this.offScreen = !e.pop()!.isIntersecting;
    this.seen();
  });
  // Seen or not, a stale host asks for its update: `hold` holds it back again while unseen.
  private readonly seen = () => {
    this.host.toggleAttribute('data-unseen', this.unseen);
    if (this.stale) {
      this.stale = false;
      this.host.requestUpdate();
    }
  };

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  /** Off screen or in a hidden tab. */
  get unseen(): boolean {
    return this.offScreen || document.hidden;
  }

  /** Whether to hold back an update of live data now (unseen); it is made once the host is seen. */
  hold(): boolean {
    return this.unseen && (this.stale = true);
  }

  hostConnected(): void {
    this.screen.observe(this.host);
    document.addEventListener('visibilitychange', this.seen);
  }

  hostDisconnected(): void {
    this.screen.disconnect();
    document.removeEventListener('visibilitychange', this.seen);
  }
}
