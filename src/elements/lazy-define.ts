import { getConnection } from '../core/configure.js';

/**
 * Loads an element's module only once its tag appears in the document (now or later), so the
 * script-tag kit downloads the chart's code, and uPlot, only for pages that show one. A
 * MutationObserver watches until the tag is seen.
 *
 * The elements found then (outside any `<live-source>`) have their topic and key subscribed on
 * the page's connection at once, so their snapshots come in the same stream request as the kit
 * chunk's elements' instead of one round trip after their own chunk: held until the element,
 * defined, has subscribed the same selection itself.
 */
export function defineWhenUsed(tag: string, load: () => Promise<unknown>): void {
  if (customElements.get(tag)) return;
  const look = () => {
    const found = document.getElementsByTagName(tag);
    if (found.length === 0) return;
    observer.disconnect();
    const held: Array<{ release(): void }> = [];
    for (const el of found) {
      const topic = el.getAttribute('topic');
      const key = el.getAttribute('key');
      try {
        if (topic && !el.closest('live-source')) held.push(getConnection().subscribe(key ? `${topic}/${key}` : topic, () => {}));
      } catch {
        // No relay configured, or a topic or key that is not a valid selector: the element says so itself once defined.
      }
    }
    load()
      .catch((err: unknown) => console.error(`live-elements: could not load <${tag}>:`, err))
      // The elements subscribed as they were defined (in the module's evaluation).
      .then(() => held.forEach((s) => s.release()));
  };
  const observer = new MutationObserver(look);
  observer.observe(document.documentElement, { childList: true, subtree: true });
  look();
}
