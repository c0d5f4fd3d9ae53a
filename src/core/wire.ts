/**
 * The wire format shared by the browser kit and the relay: envelopes, ops, selectors and the
 * control events of the SSE stream. This is the only module both `src/` and `server/` import,
 * so the two sides cannot drift apart. It has no dependencies and runs in browsers, workers
 * and Node alike.
 */

/** A topic name: lower-case letters, digits, `_`, `.`, `-`; 1–64 characters, not starting with punctuation. */
export const TOPIC_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Longest key accepted, in characters. Keys may not contain `,` (the selector list separator) or control characters. */
export const MAX_KEY_LENGTH = 256;

/** The four ways an event can change one key of a topic. */
export type Op = 'upsert' | 'patch' | 'delete' | 'append';

export const OPS: readonly Op[] = ['upsert', 'patch', 'delete', 'append'];

/** What a publisher sends: one change to one key of one topic. */
export interface EventInput {
  topic: string;
  key: string;
  op: Op;
  /** The value (`upsert`), the fields to merge (`patch`), the item to add (`append`); ignored for `delete`. */
  data?: unknown;
}

/** A change as the log holds it and the stream carries it (the `data:` of every `change` frame). */
export interface Envelope extends EventInput {
  /** Log id, `<ms>-<seq>` like a Redis stream id; strictly increasing within one log epoch. */
  id: string;
  /** ISO 8601 time the relay accepted the event. */
  time: string;
}

/** `topic` (every key) or `topic/key` (one key). */
export interface Selector {
  topic: string;
  key?: string;
}

/** The id a log starts from: resuming "after" it means "everything the log has ever held". */
export const ORIGIN_ID = '0-0';

/** Names of the SSE `event:` fields the relay sends. */
export const SSE_EVENT = {
  connected: 'connected',
  change: 'change',
  reset: 'reset',
  timeout: 'timeout',
} as const;

/** `event: connected`, always the first frame of a stream. */
export interface ConnectedEvent {
  clientId: string;
  /** The position the stream starts after (the resumed id, or the log's last id for a fresh stream). */
  lastEventId: string | null;
}

/** `event: reset`: the relay cannot prove the client missed nothing for these topics; re-read their snapshots. */
export interface ResetEvent {
  topics: string[];
  reason: 'expired' | 'epoch';
  /** The log's position at the reset; the stream continues after it. */
  lastEventId: string | null;
}

/** `event: timeout`: the relay is closing the stream on purpose; reconnect (resume by id). */
export interface TimeoutEvent {
  reason: 'lifetime' | 'shutdown' | 'token-expired';
}

/** `GET /v1/topics/:topic`. */
export interface TopicSnapshot {
  topic: string;
  /** Id of the last log event the snapshot includes (`null`: the log is empty). Stream from here. */
  lastEventId: string | null;
  items: Record<string, unknown>;
}

/** Every error answer of the relay. */
export interface ErrorBody {
  /** `selectors`: on a 403, the requested selectors the reader's token does not cover. */
  error: { code: string; message: string; selectors?: string[] };
}

/** Parses a log id into its two numeric parts, or returns null when it is not `<ms>-<seq>`. */
export function parseId(id: string): [number, number] | null {
  const m = /^(\d{1,16})-(\d{1,16})$/.exec(id);
  if (!m) return null;
  return [Number(m[1]), Number(m[2])];
}

/** Orders two log ids: negative when `a` is older than `b`. Both must be valid ids. */
export function compareIds(a: string, b: string): number {
  const pa = parseId(a);
  const pb = parseId(b);
  if (!pa || !pb) throw new TypeError(`compareIds: not a log id: ${!pa ? a : b}`);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

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

/** Parses a comma-separated selector list (`prices,services/api-1`); empty entries are refused. */
export function parseSelectors(csv: string): Selector[] {
  if (csv.trim() === '') throw new TypeError('no topics selected: pass topics=topic or topics=topic/key,...');
  return csv.split(',').map((s) => parseSelector(s.trim()));
}

/** The text form of a selector, as used in the `topics` query parameter. */
export function formatSelector(sel: Selector): string {
  return sel.key === undefined ? sel.topic : `${sel.topic}/${sel.key}`;
}

/**
 * True when the selector covers this topic and key; without a key, the whole topic, which only a
 * whole-topic selector covers. The one containment rule of kit and relay: an event against a
 * stream's selectors, a request against a reader's grants, a selector against an open stream's.
 */
export function selectorMatches(sel: Selector, topic: string, key?: string): boolean {
  return sel.topic === topic && (sel.key === undefined || sel.key === key);
}

/** True when any of the selectors covers this topic and key (see {@link selectorMatches}). */
export function anySelectorMatches(selectors: readonly Selector[], topic: string, key?: string): boolean {
  for (let i = 0; i < selectors.length; i++) {
    if (selectorMatches(selectors[i], topic, key)) return true;
  }
  return false;
}

/**
 * Validates one publish input; returns the event or an error message that names the field.
 * Used by the relay's publish route and available to publishers that want to check first.
 */
export function validateEventInput(value: unknown, where = 'event'): EventInput | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${where} must be a JSON object {"topic","key","op","data"}`;
  }
  const v = value as Record<string, unknown>;
  const terr = topicError(v.topic);
  if (terr) return `${where}.topic: ${terr}`;
  const kerr = keyError(v.key);
  if (kerr) return `${where}.key: ${kerr}`;
  if (typeof v.op !== 'string' || !(OPS as readonly string[]).includes(v.op)) {
    return `${where}.op must be one of ${OPS.join(', ')}`;
  }
  const op = v.op as Op;
  if (op !== 'delete' && !('data' in v)) return `${where}.data is required for op "${op}"`;
  if (op === 'patch' && (typeof v.data !== 'object' || v.data === null || Array.isArray(v.data))) {
    return `${where}.data must be an object for op "patch" (its fields are merged into the value)`;
  }
  const extra = Object.keys(v).filter((k) => k !== 'topic' && k !== 'key' && k !== 'op' && k !== 'data');
  if (extra.length) return `${where} has unknown field(s) ${extra.join(', ')}: send only topic, key, op, data`;
  return op === 'delete' ? { topic: v.topic as string, key: v.key as string, op } : { topic: v.topic as string, key: v.key as string, op, data: v.data };
}

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
