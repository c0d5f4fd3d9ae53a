/**
 * How often, at most, live data redraws the page (ms): the page's shared render slots. Every
 * widget's live batch, the end of a highlight and a chart's live redraw waits for the next slot,
 * so what several widgets show changes in one frame, not one frame each. A frame restyles, lays
 * out, paints and commits the whole page, on the main thread, whatever changed in it: on the
 * bench's dashboard fed by the simulator it is about four times in a second instead of sixteen.
 * The cost is up to this much latency on a live update (an eighth of a second on average); a first
 * render, a user's action or a property the page sets does not wait.
 */
export const SLOT_MS = 250;

let due: Array<() => void> | undefined;

/** Runs `fn` at the page's next render slot, in one task with everything else due then. */
export function atNextSlot(fn: () => void): void {
  if (!due) {
    due = [];
    setTimeout(() => {
      const run = due!;
      due = undefined;
      for (const f of run) f();
    }, SLOT_MS - (performance.now() % SLOT_MS));
  }
  due.push(fn);
}
