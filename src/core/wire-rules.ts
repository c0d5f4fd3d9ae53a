/**
 * The rules of the wire format every page applies: selector syntax (topic names, keys) and what
 * an event does to a topic's state. wire.ts re-exports them; a module apart so the script-tag
 * kit's chunk, which needs them on every page, does not also hold the rest of the format (log
 * ids, SSE event names, selector matching), which only the stream code and the chart read.
 */
import type { EventInput, Selector } from './wire.js';

/** A topic name: lower-case letters, digits, `_`, `.`, `-`; 1–64 characters, not starting with punctuation. */
export const TOPIC_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Longest key accepted, in characters. Keys may not contain `,` (the selector list separator) or control characters. */
export const MAX_KEY_LENGTH = 256;

/** Returns an error message for a bad topic name, or null when it is valid. */
export function topicError(topic: unknown): string | null {
  if (typeof topic !== 'string') return 'topic must be a string';
  if (!TOPIC_PATTERN.test(topic)) {
    return `topic "${topic.slice(0, 80)}" is not valid: use 1-64 characters of a-z, 0-9, "_", ".", "-", starting with a letter or digit`;
  }
  return null;
}

/** Returns an error message for a bad key, or null when it is valid. */
export function keyError(key: unknown): string | null {
  if (typeof key !== 'string') return 'key must be a string';
  if (key.length === 0) return 'key must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `key is longer than ${MAX_KEY_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[,\u0000-\u001f\u007f]/.test(key)) return `key "${key.slice(0, 80)}" contains "," or a control character`;
  return null;
}

/** Parses one selector (`topic` or `topic/key`); throws a TypeError that names the bad part. */
export function parseSelector(text: string): Selector {
  const slash = text.indexOf('/');
  const topic = slash < 0 ? text : text.slice(0, slash);
  const err = topicError(topic);
  if (err) throw new TypeError(`selector "${text.slice(0, 80)}": ${err}`);
  if (slash < 0) return { topic };
  const key = text.slice(slash + 1);
  const kerr = keyError(key);
  if (kerr) throw new TypeError(`selector "${text.slice(0, 80)}": ${kerr}`);
  return { topic, key };
}

/**
 * Longest list an `append` op grows per key: the relay's `LIST_LIMIT` default, and what every copy
 * of a topic's state in the browser keeps (the stream hub's and a widget's own `applyEvents`).
 */
export const LIST_LIMIT = 200;

/**
 * Applies one event to a topic's state map in place, as both the relay and the browser do.
 * `listLimit` bounds the list that `append` grows (oldest items drop first).
 */
export function applyEvent(state: Map<string, unknown>, event: EventInput, listLimit: number): void {
  switch (event.op) {
    case 'upsert':
      state.set(event.key, event.data);
      return;
    case 'patch': {
      const prev = state.get(event.key);
      const base = typeof prev === 'object' && prev !== null && !Array.isArray(prev) ? prev : {};
      state.set(event.key, { ...base, ...(event.data as object) });
      return;
    }
    case 'delete':
      state.delete(event.key);
      return;
    case 'append': {
      const prev = state.get(event.key);
      const list = Array.isArray(prev) ? prev.slice() : [];
      list.push(event.data);
      if (list.length > listLimit) list.splice(0, list.length - listLimit);
      state.set(event.key, list);
      return;
    }
  }
}
