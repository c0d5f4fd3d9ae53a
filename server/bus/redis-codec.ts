import type { Envelope, Op } from '../../src/core/wire.js';
import type { AppendInput } from './bus.js';
import { rememberEnvelopeJson } from './envelope-json.js';
import { encodeValue } from './encode-value.js';

/**
 * How events travel between the Redis bus and its Lua scripts: inputs become script arguments,
 * stream entries become envelopes. Kept apart from the bus so both directions sit side by side.
 */

/** The 6 script arguments of one input, as the append script reads them. */
export function appendArgs(input: AppendInput): string[] {
  if (input.op === 'delete') return [input.topic, input.key, 'delete', '', '', input.dedupeKey ?? ''];
  const raw = input.dataJson ?? encodeValue(input.data);
  let patch = '';
  if (input.op === 'patch') {
    // key, raw key, raw value per field, so the script splices JSON text and never re-encodes a value.
    const triples: string[] = [];
    for (const [k, v] of Object.entries(input.data as object)) {
      triples.push(k, JSON.stringify(k), v === undefined ? '' : (JSON.stringify(v) ?? 'null'));
    }
    patch = JSON.stringify(triples);
  }
  return [input.topic, input.key, input.op, raw, patch, input.dedupeKey ?? ''];
}

/** A stream entry as Redis returns it: `[id, [field, value, ...]]`. */
export type StreamEntry = [id: string, fields: string[]];

/** The envelope of a stream entry; its time is the id's millisecond part (when Redis accepted it). */
export function entryToEnvelope([id, fields]: StreamEntry): Envelope {
  let topic = '';
  let key = '';
  let op: Op = 'upsert';
  let data: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    const v = fields[i + 1];
    switch (fields[i]) {
      case 't': topic = v; break;
      case 'k': key = v; break;
      case 'o': op = v as Op; break;
      case 'd': data = v; break;
    }
  }
  const time = new Date(Number(id.slice(0, id.indexOf('-')))).toISOString();
  const env: Envelope = op === 'delete' || data === undefined ? { id, topic, key, op, time } : { id, topic, key, op, data: JSON.parse(data), time };
  rememberEnvelopeJson(env, data);
  return env;
}
