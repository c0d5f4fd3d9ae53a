/**
 * Registers a custom element unless a tag of that name exists already (the kit loaded twice, or
 * from both the script tag and a bundle), which `customElements.define` would throw on.
 */
export function defineElement(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
