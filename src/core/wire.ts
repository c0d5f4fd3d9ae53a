/**
 * The wire format shared by the browser kit and the relay: envelopes, ops, selectors and the
 * control events of the SSE stream. This is the only module both `src/` and `server/` import
 * (with wire-rules.ts, which it re-exports), so the two sides cannot drift apart. It has no
 * other dependency and runs in browsers, workers and Node alike.
 */

import { keyError, parseSelector, topicError } from './wire-rules.js';

// The rules every page applies, a module apart so the script-tag kit's chunk holds them alone.
export { TOPIC_PATTERN, MAX_KEY_LENGTH, LIST_LIMIT, topicError, keyError, parseSelector, applyEvent } from './wire-rules.js';

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
  snapshot: 'snapshot',
  reset: 'reset',
  timeout: 'timeout',
} as const;

/** `event: connected`, always the first frame of a stream. */
export interface ConnectedEvent {
  clientId: string;
  /** The position the stream starts after (the resumed id, or the log's last id for a fresh stream). */
  lastEventId: string | null;
}

/**
 * `event: snapshot`: the state of one selection the stream request named in `snapshot=` (a
 * comma-separated subset of the selections its `topics=` carry: each one a listed selector or
 * under a listed whole topic). The relay sends one per named selection right after `connected`
 * (and `reset`, if any), before any `change` frame: the items and the log position they stand at,
 * read together (atomically) and after the stream was already subscribed to live events. The
 * stream goes on with every event after its own position (`connected.lastEventId`); those at or
 * before a snapshot's `lastEventId` are already in that snapshot, so a client applies on it only
 * the events after it. No `id:` field: a snapshot does not move the stream's resume position.
 */
export interface SnapshotEvent {
  /** The selection, as named in `snapshot=` (`topic` or `topic/key`). */
  selector: string;
  /** Id of the last log event the items include (`null`: the log is empty). */
  lastEventId: string | null;
  items: Record<string, unknown>;
}

/**
 * `event: reset`: the relay cannot prove the client missed nothing for these topics; read their
 * snapshots again (the kit reconnects, resuming after `lastEventId`, with them in `snapshot=`).
 */
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

/**
 * One item of the `rss` topic: the relay's RSS poller and the simulator append these to a feed's
 * key, and `<rss-feed>` shows them.
 */
export interface FeedItem {
  id: string;
  title: string;
  /** http(s), or "" when the feed gave none. */
  link: string;
  /** ISO 8601. */
  published: string;
  /** The feed's title, or its host when it has none. */
  source: string;
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
