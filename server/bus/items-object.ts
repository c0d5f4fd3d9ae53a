/**
 * A snapshot's `items` from key/value pairs. Object.fromEntries defines each key as an own
 * property, so a key named `__proto__` is an item like `constructor` or `toString` (an assignment
 * `items[key] = value` would set the object's prototype instead, and the key would vanish from the
 * snapshot while the stream still carried it).
 */
export function itemsObject(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  return Object.fromEntries(entries);
}
