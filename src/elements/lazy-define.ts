import { getConnection } from '../core/configure.js';

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

/**
 * Subscribes the topic and key of every `tag` on the page (outside any `<live-source>`) on the
 * page's connection now, held until `tag` is defined: its elements then subscribe the same
 * selections themselves as they upgrade, so the stream's first request carries them all, however
 * late the definition comes (a chunk of its own, a task of its own).
 */
export function holdUntilDefined(tag: string): void {
  const held: Array<{ release(): void }> = [];
  for (const el of document.getElementsByTagName(tag)) {
    const topic = el.getAttribute('topic');
    const key = el.getAttribute('key');
    try {
      if (topic && !el.closest('live-source')) held.push(getConnection().subscribe(key ? `${topic}/${key}` : topic, () => {}));
    } catch {
      // No relay configured, or a topic or key that is not a valid selector: the element says so itself once defined.
    }
  }
  // The elements subscribed as they upgraded, in the definition's task.
  void customElements.whenDefined(tag).then(() => held.forEach((s) => s.release()));
}
