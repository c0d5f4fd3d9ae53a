/** Whether each element is defined in a task of its own (the script-tag kit, see src/kit.ts). */
let later = false;

/**
 * From now on, {@link defineElement} defines each element in a task of its own, in order: the
 * script-tag kit's evaluation is then one short task and each definition (the upgrade of every tag
 * of that name on the page: constructors, styles, subscriptions) another, instead of one long task
 * that holds up the host page's input.
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
  later ? setTimeout(define) : define();
}
