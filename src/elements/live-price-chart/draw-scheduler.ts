/** Live points redraw the plot at most this often (ms): each redraw rasterizes the whole canvas (about 8 ms of main thread on the bench machine). */
const LIVE_REDRAW_MS = 250;

/** What a redraw is asked for. Requests made before it runs are merged into one draw. */
export interface DrawRequest {
  /** The data changed: the plot takes it again (without it the plot is only redrawn, for its marks). */
  data?: boolean;
  /** The plot's box may have a new size. */
  resized?: boolean;
  /** For live points: at most one such redraw per {@link LIVE_REDRAW_MS}. */
  live?: boolean;
  /** Only the marks laid over the plot moved (a new last price in an unchanged bucket): the canvas needs no redraw for it. */
  marks?: boolean;
}

/** What the merged requests ask of one draw: `canvas` false when nothing but the marks moved. */
export type DrawWork = Required<Pick<DrawRequest, 'data' | 'resized'>> & { canvas: boolean };

/**
 * Coalesces redraws, as uPlot itself does: requests set flags and one draw is scheduled, at most
 * one per animation frame however many points arrived, and for live points at most one per
 * {@link LIVE_REDRAW_MS} (a redraw rasterizes the whole canvas on the main thread; a price ticking
 * 20 times a second need not cost 20 of them). Requests that only moved the marks over the plot
 * ask for no canvas redraw. Also redraws once when the live tip's bucket closes, so its marker goes
 * away on time. A subclass does the drawing.
 */
export abstract class DrawScheduler {
  private frame = 0;
  private drawTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last live redraw was asked for (performance.now()). */
  private liveDrawAt = -Infinity;
  private dirtyData = false;
  private dirtySize = false;
  private dirtyCanvas = false;
  private tipTimer: ReturnType<typeof setTimeout> | undefined;
  private tipTimerEnd: number | null = null;

  /** Draws what the merged requests ask; false when it did not draw, so the work is kept for the next draw. */
  protected abstract draw(work: DrawWork): boolean;
  /** Whether to skip drawing for now, without asking for a frame; the work is kept for later. */
  protected abstract skip(): boolean;

  /** Whether a draw is scheduled (for the next frame, or later for live points). */
  get drawPending(): boolean {
    return this.frame !== 0 || this.drawTimer !== undefined;
  }

  /** Asks for a redraw (see {@link DrawRequest}); merged with the others asked before it runs. */
  scheduleDraw({ data = false, resized = false, live = false, marks = false }: DrawRequest = {}): void {
    this.dirtyData ||= data;
    this.dirtySize ||= resized;
    this.dirtyCanvas ||= !marks;
    if (this.frame) return;
    const wait = live ? this.liveDrawAt + LIVE_REDRAW_MS - performance.now() : 0;
    // The timer's own wait is the rest of the interval: when it fires (perhaps a little early by
    // performance.now()'s clock), it asks for the frame, not for another wait.
    if (wait > 0) this.drawTimer ??= setTimeout(() => this.askFrame(true), wait);
    else this.askFrame(live);
  }

  private askFrame(live: boolean): void {
    clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    if (this.frame || this.skip()) return;
    if (live) this.liveDrawAt = performance.now();
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.draw({ data: this.dirtyData, resized: this.dirtySize, canvas: this.dirtyCanvas })) this.dirtyData = this.dirtySize = this.dirtyCanvas = false;
    });
  }

  /** Redraws once when the live tip's bucket closes (`end`, unix ms; null: no tip), so the marker goes away on time. */
  armTipTimer(end: number | null): void {
    // Most live points land in the open bucket: its timer already stands.
    if (end === this.tipTimerEnd) return;
    this.tipTimerEnd = end;
    clearTimeout(this.tipTimer);
    if (end === null) return;
    this.tipTimer = setTimeout(() => {
      this.tipTimerEnd = null;
      this.scheduleDraw();
    }, Math.max(0, end - Date.now()) + 5);
  }

  /** Cancels every scheduled draw (the element left the page). */
  protected cancelDraws(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    clearTimeout(this.tipTimer);
    this.tipTimerEnd = null;
    clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
  }
}
