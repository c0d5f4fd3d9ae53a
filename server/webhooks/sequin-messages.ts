import { keyError, topicError, validateEventInput } from '../../src/core/wire.js';
import type { AppendInput } from '../bus/bus.js';
import type { SequinTransform, SequinTransforms } from './sequin-transforms.js';

/** Table → topic renames and table → primary key column, from SEQUIN_TOPIC_MAP / SEQUIN_KEY_MAP. */
export interface SequinMapping {
  topics: ReadonlyMap<string, string>;
  keys: ReadonlyMap<string, string>;
}

const ACTIONS = ['insert', 'update', 'delete', 'read'] as const;

/**
 * Parses `table:value,...` entries (already split at commas by the config). Throws naming the
 * variable when an entry has no ":".
 */
export function parseTableMap(entries: readonly string[], variable: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) {
      throw new Error(`${variable}: "${entry}" is not table:value (e.g. ${variable}=yahoo_leagues:${variable === 'SEQUIN_KEY_MAP' ? 'league_id' : 'leagues'})`);
    }
    map.set(entry.slice(0, colon).trim(), entry.slice(colon + 1).trim());
  }
  return map;
}

/** A delivery refused: `invalid` (a bad message) or `transform` (a transform threw or returned a bad event). */
export interface SequinRejection {
  readonly reason: 'invalid' | 'transform';
  readonly message: string;
  /** The table whose transform failed. */
  readonly table?: string;
}

/**
 * Turns a Sequin webhook body (one message, or `{"data": [...]}`) into bus inputs, in order, or the
 * rejection of the whole delivery, naming the first bad field (`data[3].metadata.table_name`). A
 * table with a transform (TRANSFORMS) gives the events its transform returns, validated like a
 * publish; other tables map `insert`/`update`/`read` to `upsert` of the record and `delete` to
 * `delete`. The dedupe key is the message's `metadata.idempotency_key`, else the delivery's
 * `webhook-id` (with the message's index in a batch), and the event's index after the first.
 */
export async function sequinToInputs(body: unknown, mapping: SequinMapping, webhookId?: string, transforms?: SequinTransforms): Promise<AppendInput[] | SequinRejection> {
  let messages: unknown[];
  let path: (i: number) => string;
  if (isObject(body) && 'data' in body) {
    if (!Array.isArray(body.data)) return invalid('data must be an array of Sequin messages');
    messages = body.data;
    path = (i) => `data[${i}]`;
  } else if (isObject(body)) {
    messages = [body];
    path = () => 'message';
  } else {
    return invalid('the body must be a Sequin message object or {"data": [messages]}');
  }
  const inputs: AppendInput[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const at = path(i);
    const shapeError = messageShapeError(m, at);
    if (shapeError) return invalid(shapeError);
    const message = m as SequinMessage;
    const table = message.metadata.table_name;
    const transform = transforms?.get(table);
    const produced = transform ? await transformed(transform, message, at, mapping) : messageToInput(message, at, mapping);
    if (!Array.isArray(produced)) return typeof produced === 'string' ? invalid(produced) : produced;
    const idem = message.metadata.idempotency_key;
    let dedupeKey: string | undefined;
    if (typeof idem === 'string' && idem !== '') dedupeKey = `sequin:${idem}`;
    else if (webhookId) dedupeKey = messages.length === 1 && !('data' in (body as object)) ? `webhook:${webhookId}` : `webhook:${webhookId}:${i}`;
    produced.forEach((input, j) => {
      if (dedupeKey) input.dedupeKey = j === 0 ? dedupeKey : `${dedupeKey}:${j}`;
      inputs.push(input);
    });
  }
  return inputs;
}

/** What {@link messageShapeError} has checked. */
interface SequinMessage extends Record<string, unknown> {
  action: (typeof ACTIONS)[number];
  metadata: { table_name: string; idempotency_key?: string | null };
  record: Record<string, unknown>;
}

function invalid(message: string): SequinRejection {
  return { reason: 'invalid', message };
}

function messageShapeError(m: unknown, at: string): string | null {
  if (!isObject(m)) return `${at} must be an object with record, action and metadata`;
  if (typeof m.action !== 'string' || !(ACTIONS as readonly string[]).includes(m.action)) {
    return `${at}.action must be one of ${ACTIONS.join(', ')} (got ${JSON.stringify(m.action ?? null)})`;
  }
  if (!isObject(m.metadata)) return `${at}.metadata is missing: a Sequin message carries metadata.table_name`;
  const table = m.metadata.table_name;
  if (typeof table !== 'string' || table === '') return `${at}.metadata.table_name is missing or not a string`;
  const idem = m.metadata.idempotency_key;
  if (idem !== undefined && idem !== null && typeof idem !== 'string') return `${at}.metadata.idempotency_key must be a string`;
  if (!isObject(m.record)) return `${at}.record is missing or not an object`;
  return null;
}

/** The record's key under the default mapping (SEQUIN_KEY_MAP, else `id`), or an error naming the column. */
function recordKey(m: SequinMessage, at: string, mapping: SequinMapping): string | { error: string } {
  const table = m.metadata.table_name;
  const column = mapping.keys.get(table) ?? 'id';
  const raw = m.record[column];
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    return { error: `${at}.record.${column} is missing or not a string/number: it is the key of table "${table.slice(0, 80)}"; set SEQUIN_KEY_MAP=${table.slice(0, 40)}:<column> if the primary key is another column` };
  }
  const key = String(raw);
  const kerr = keyError(key);
  return kerr ? { error: `${at}.record.${column}: ${kerr}` } : key;
}

function messageToInput(m: SequinMessage, at: string, mapping: SequinMapping): AppendInput[] | string {
  const table = m.metadata.table_name;
  const topic = mapping.topics.get(table) ?? table;
  const terr = topicError(topic);
  if (terr) {
    return `${at}.metadata.table_name "${table.slice(0, 80)}" does not make a valid topic (${terr}); rename it with SEQUIN_TOPIC_MAP=${table.slice(0, 40)}:<topic>`;
  }
  const key = recordKey(m, at, mapping);
  if (typeof key !== 'string') return key.error;
  return [m.action === 'delete' ? { topic, key, op: 'delete' } : { topic, key, op: 'upsert', data: m.record }];
}

/** The events a table's transform makes of a message, each validated like a publish; a throw rejects the delivery. */
async function transformed(transform: SequinTransform, m: SequinMessage, at: string, mapping: SequinMapping): Promise<AppendInput[] | SequinRejection> {
  const table = m.metadata.table_name;
  const key = recordKey(m, at, mapping);
  const context = { table, topic: mapping.topics.get(table) ?? table, key: typeof key === 'string' ? key : undefined };
  const fail = (message: string): SequinRejection => ({ reason: 'transform', table, message });
  let out: unknown;
  try {
    out = await transform(m, context);
  } catch (err) {
    return fail(`${at}: the TRANSFORMS function for table "${table.slice(0, 80)}" threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  const list = out === null || out === undefined ? [] : Array.isArray(out) ? out : [out];
  const inputs: AppendInput[] = [];
  for (let j = 0; j < list.length; j++) {
    // e.g. "data[2] → yahoo_leagues transform's events[0].key: key must be ..."
    const checked = validateEventInput(list[j], `${at} → ${table.slice(0, 80)} transform's events[${j}]`);
    if (typeof checked === 'string') return fail(`${checked} (TRANSFORMS must return events {topic, key, op, data}, like a publish)`);
    inputs.push(checked);
  }
  return inputs;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
