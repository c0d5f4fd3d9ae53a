const pending = new Map<string, () => Promise<unknown>>();
let observer: MutationObserver | null = null;

function loadPresent(): void {
  for (const [tag, load] of pending) {
    if (document.getElementsByTagName(tag).length === 0) continue;
    pending.delete(tag);
    load().catch((err: unknown) => console.error(`live-elements: could not load <${tag}>:`, err));
  }
  if (pending.size === 0) {
    observer?.disconnect();
    observer = null;
  }
}

/**
 * Loads an element's module only once its tag appears in the document (now or later), so the
 * script-tag kit downloads each element's code, and the chart's uPlot, only for pages that show
 * it. One MutationObserver serves every pending tag and stops when all are loaded.
 */
export function defineWhenUsed(tag: string, load: () => Promise<unknown>): void {
  if (customElements.get(tag) || pending.has(tag)) return;
  pending.set(tag, load);
  if (!observer) {
    observer = new MutationObserver(loadPresent);
    observer.observe(document.documentElement, { childList: true, subtree: true });
  }
  loadPresent();
}
