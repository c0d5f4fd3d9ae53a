import type { Envelope } from '../../src/core/wire.js';

/**
 * The JSON text of each envelope, made once where the event enters or leaves the log (the memory
 * bus's append, the Redis bus's entry decoding) from the value's JSON text, and reused by every
 * frame that carries it: live fan-out and replay send exactly what was stored, and never encode
 * an event again (which could fail after the event was accepted).
 */
const encoded = new WeakMap<Envelope, string>();

/**
 * Records `env`'s JSON, built from `dataJson` (the value's JSON text; ignored for `delete`).
 * The text equals `JSON.stringify(env)` for an envelope with its fields in the order
 * id, topic, key, op, data, time.
 */
export function rememberEnvelopeJson(env: Envelope, dataJson: string | undefined): void {
  const data = env.op === 'delete' || dataJson === undefined ? '' : `,"data":${dataJson}`;
  encoded.set(env, `{"id":"${env.id}","topic":${JSON.stringify(env.topic)},"key":${JSON.stringify(env.key)},"op":"${env.op}"${data},"time":"${env.time}"}`);
}

/** `env` as JSON: the text recorded for it, or (for an envelope no bus made) encoded now. */
export function envelopeJson(env: Envelope): string {
  return encoded.get(env) ?? JSON.stringify(env);
}
