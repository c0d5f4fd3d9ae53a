import { atNextSlot, SLOT_MS } from '../shared/render-slot.js';

/** What a redraw is asked for. Requests made before it runs are merged into one draw. */
export interface DrawRequest {
  /** The data changed: the plot takes it again (without it the plot is only redrawn, for its marks). */
  data?: boolean;
  /** The plot's box may have a new size. */
  resized?: boolean;
  /** For live points: the redraw waits for the page's next render slot (at most one per {@link SLOT_MS}). */
  live?: boolean;
  /** Only the marks laid over the plot moved (a new last price in an unchanged bucket): the canvas needs no redraw for it. */
  marks?: boolean;
}

/** What the merged requests ask of one draw: `canvas` false when nothing but the marks moved. */
export type DrawWork = Required<Pick<DrawRequest, 'data' | 'resized'>> & { canvas: boolean };

/**
 * Coalesces redraws, as uPlot itself does: requests set flags and one draw is scheduled, at most
 * one per animation frame however many points arrived, and for live points one at the page's next
 * render slot, so at most one per {@link SLOT_MS} and in the frame where the other widgets show
 * their live data (a redraw rasterizes the whole canvas on the main thread, about 8 ms on the bench
 * machine; a price ticking 20 times a second need not cost 20 of them). Requests that only moved
 * the marks over the plot ask for no canvas redraw. Also redraws once when the live tip's bucket
 * closes, so its marker goes away on time. A subclass does the drawing.
 */
export abstract class DrawScheduler {
  private frame = 0;
  /** A live redraw waits for the next render slot; cleared (so forgotten) by {@link cancelDraws}. */
  private drawSlot: object | null = null;
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
    return this.frame !== 0 || this.drawSlot !== null;
  }

  /** Asks for a redraw (see {@link DrawRequest}); merged with the others asked before it runs. */
  scheduleDraw({ data = false, resized = false, live = false, marks = false }: DrawRequest = {}): void {
    this.dirtyData ||= data;
    this.dirtySize ||= resized;
    this.dirtyCanvas ||= !marks;
    if (this.frame) return;
    if (!live) this.askFrame();
    else if (!this.drawSlot) {
      const slot = (this.drawSlot = {});
      atNextSlot(() => slot == this.drawSlot && this.askFrame());
    }
  }

  private askFrame(): void {
    this.drawSlot = null;
    if (this.frame || this.skip()) return;
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
    this.drawSlot = null;
  }
}
