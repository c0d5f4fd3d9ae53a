import { keyError, topicError } from '../../src/core/wire.js';
import type { AppendInput } from '../bus/bus.js';

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

/**
 * Turns a Sequin webhook body (one message, or `{"data": [...]}`) into bus inputs, in order, or an
 * error naming the first bad field (`data[3].metadata.table_name`). `insert`/`update`/`read` become
 * `upsert` of the record, `delete` becomes `delete`. The dedupe key is the message's
 * `metadata.idempotency_key`, else the delivery's `webhook-id` (with the message's index in a batch).
 */
export function sequinToInputs(body: unknown, mapping: SequinMapping, webhookId?: string): AppendInput[] | string {
  let messages: unknown[];
  let path: (i: number) => string;
  if (isObject(body) && 'data' in body) {
    if (!Array.isArray(body.data)) return 'data must be an array of Sequin messages';
    messages = body.data;
    path = (i) => `data[${i}]`;
  } else if (isObject(body)) {
    messages = [body];
    path = () => 'message';
  } else {
    return 'the body must be a Sequin message object or {"data": [messages]}';
  }
  const inputs: AppendInput[] = [];
  for (let i = 0; i < messages.length; i++) {
    const input = messageToInput(messages[i], path(i), mapping);
    if (typeof input === 'string') return input;
    const idem = (messages[i] as { metadata: { idempotency_key?: unknown } }).metadata.idempotency_key;
    if (typeof idem === 'string' && idem !== '') input.dedupeKey = `sequin:${idem}`;
    else if (webhookId) input.dedupeKey = messages.length === 1 && !('data' in (body as object)) ? `webhook:${webhookId}` : `webhook:${webhookId}:${i}`;
    inputs.push(input);
  }
  return inputs;
}

function messageToInput(m: unknown, at: string, mapping: SequinMapping): AppendInput | string {
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

  const topic = mapping.topics.get(table) ?? table;
  const terr = topicError(topic);
  if (terr) {
    return `${at}.metadata.table_name "${table.slice(0, 80)}" does not make a valid topic (${terr}); rename it with SEQUIN_TOPIC_MAP=${table.slice(0, 40)}:<topic>`;
  }
  const column = mapping.keys.get(table) ?? 'id';
  const raw = m.record[column];
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
    return `${at}.record.${column} is missing or not a string/number: it is the key of table "${table.slice(0, 80)}"; set SEQUIN_KEY_MAP=${table.slice(0, 40)}:<column> if the primary key is another column`;
  }
  const key = String(raw);
  const kerr = keyError(key);
  if (kerr) return `${at}.record.${column}: ${kerr}`;
  return m.action === 'delete' ? { topic, key, op: 'delete' } : { topic, key, op: 'upsert', data: m.record };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
