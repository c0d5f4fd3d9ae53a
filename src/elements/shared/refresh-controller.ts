import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { atNextSlot } from './render-slot.js';

/**
 * Re-renders its host every `intervalMs` while it is connected, so relative times ("2 minutes
 * ago") stay true without new data, at the page's render slots (see render-slot.ts). Not while the tab is hidden, where nobody reads them: the
 * host then re-renders once, when the tab is shown again. The timer and the listener live only
 * between hostConnected and hostDisconnected.
 * @internal
 */
export class RefreshController implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly refreshTick = () => document.hidden || atNextSlot(() => this.host.requestUpdate());

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly intervalMs: number,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.timer = setInterval(this.refreshTick, this.intervalMs);
    document.addEventListener('visibilitychange', this.refreshTick);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    document.removeEventListener('visibilitychange', this.refreshTick);
  }
}
