import { holdUntilDefined } from './define.js';

/**
 * Loads an element's module only once its tag appears in the document (now or later), so the
 * script-tag kit downloads the chart's code, and uPlot, only for pages that show one. A
 * MutationObserver watches until the tag is seen.
 *
 * The elements found then have their selections held ({@link holdUntilDefined}), so their
 * snapshots come in the same stream request as the kit chunk's elements' instead of one round
 * trip after their own chunk.
 */
export function defineWhenUsed(tag: string, load: () => Promise<unknown>): void {
  if (customElements.get(tag)) return;
  const look = () => {
    if (!document.getElementsByTagName(tag)[0]) return;
    observer.disconnect();
    holdUntilDefined(tag);
    load().catch((err: unknown) => console.error(`live-elements: could not load <${tag}>:`, err));
  };
  const observer = new MutationObserver(look);
  observer.observe(document.documentElement, { childList: true, subtree: true });
  look();
}
