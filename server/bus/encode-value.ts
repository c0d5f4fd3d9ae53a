/**
 * A value's JSON text, as the log stores it. Throws a TypeError naming the cause when the value
 * cannot be encoded (nested too deep for the stack, a BigInt, a cycle): the bus calls it before it
 * changes anything, so such a value fails its append instead of being stored and then failing
 * every frame that would carry it. Values from outside are bounded at the door (event-limits.ts).
 */
export function encodeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    throw new TypeError(`the event's data cannot be encoded as JSON (${(err as Error).message}); nothing was appended`);
  }
}
