import { getConnection } from '../core/configure.js';

/** Whether each element is defined in a task of its own (the script-tag kit, see src/kit.ts). */
let later = false;

/**
 * From now on, {@link defineElement} defines each element in a task of its own, in order: the
 * script-tag kit's evaluation is then one short task and each definition (the upgrade of every tag
 * of that name on the page: constructors, styles, subscriptions) another, instead of one long task
 * that holds up the host page's input. The elements' selections are held from the current task
 * ({@link holdUntilDefined}), so the stream's first request still carries them all.
 */
export function defineLater(): void {
  later = true;
}

/**
 * Registers a custom element unless a tag of that name exists already (the kit loaded twice, or
 * from both the script tag and a bundle), which `customElements.define` would throw on.
 */
export function defineElement(tag: string, ctor: CustomElementConstructor): void {
  const define = () => customElements.get(tag) || customElements.define(tag, ctor);
  if (!later) return void define();
  holdUntilDefined(tag);
  setTimeout(define);
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
