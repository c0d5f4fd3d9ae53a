import { OPS, topicError, validateEventInput, type EventInput } from '../../src/core/wire.js';
import { checkEventLimits, type EventLimits } from '../event-limits.js';

/**
 * One `PUBSUB_BRIDGE` entry, `pattern=topic` or `pattern=topic:field`: Redis channels matching
 * `pattern` (one `*`, whose match is the key) go to `topic`; `field`, when set, is the dotted path
 * of the part of each message that becomes the value.
 */
export interface BridgeMapping {
  /** The channel pattern as given (`service:*`), what the bridge PSUBSCRIBEs to. */
  readonly pattern: string;
  readonly topic: string;
  readonly field: string | null;
  /** The pattern's text before and after its `*`. */
  readonly prefix: string;
  readonly suffix: string;
}

const FIELD = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

/** Why the field path is unusable, or null. */
export function bridgeFieldError(field: string): string | null {
  return FIELD.test(field) ? null : `"${field.slice(0, 40)}" is not a field path: use names of letters, digits, _ $ - joined by dots, e.g. status`;
}

/**
 * Parses one PUBSUB_BRIDGE entry; `defaultField` (PUBSUB_BRIDGE_FIELD) applies when the entry names
 * none. Returns an error sentence naming the entry and how to write it.
 */
export function parseBridgeMapping(entry: string, defaultField: string | null = null): BridgeMapping | string {
  const eq = entry.lastIndexOf('=');
  const example = 'e.g. service:*=services or service:*=services:status';
  if (eq <= 0) return `"${entry.slice(0, 80)}" is not pattern=topic (${example})`;
  const pattern = entry.slice(0, eq).trim();
  const target = entry.slice(eq + 1).trim();
  const stars = pattern.split('*').length - 1;
  if (stars !== 1) return `"${pattern.slice(0, 80)}" must hold exactly one * (the part it matches is the key), ${example}`;
  if (/[?[\]\\]/.test(pattern)) return `"${pattern.slice(0, 80)}" may use only * as a wildcard (no ? [ ] \\)`;
  const colon = target.indexOf(':');
  const topic = colon < 0 ? target : target.slice(0, colon);
  const field = colon < 0 ? defaultField : target.slice(colon + 1);
  const terr = topicError(topic);
  if (terr) return `"${entry.slice(0, 80)}": topic ${terr}`;
  if (field !== null) {
    const ferr = bridgeFieldError(field);
    if (ferr) return `"${entry.slice(0, 80)}": ${ferr}`;
  }
  const star = pattern.indexOf('*');
  return { pattern, topic, field, prefix: pattern.slice(0, star), suffix: pattern.slice(star + 1) };
}

/** Why a message was not published: the `reason` label of `live_bridge_rejected_total`. */
export type BridgeRejectReason = 'too_large' | 'not_json' | 'invalid' | 'unavailable';

/** A message that is not published, and why. */
export interface BridgeRejection {
  readonly reason: BridgeRejectReason;
  readonly message: string;
}

/**
 * Turns one Pub/Sub message into the event it stands for, validated like a publish:
 * - a JSON object `{"op": "upsert|patch|delete|append", "data": …}` (those two fields only) is an
 *   envelope: that op with that data;
 * - any other JSON object is the key's new value (`upsert`), or its `field` when the mapping names one.
 * The key is the part of `channel` the pattern's `*` matched. The value must stay within the limits
 * every door into the log applies (`MAX_VALUE_DEPTH`, `MAX_VALUE_BYTES`).
 */
export function bridgeMessageToInput(mapping: BridgeMapping, channel: string, message: string, maxBytes: number, limits: EventLimits): EventInput | BridgeRejection {
  const bytes = Buffer.byteLength(message);
  if (bytes > maxBytes) return { reason: 'too_large', message: `the message is ${bytes} bytes, over MAX_BODY_BYTES (${maxBytes})` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch (err) {
    return { reason: 'not_json', message: `the message is not JSON (${(err as Error).message}); publish a JSON object` };
  }
  if (!isObject(parsed)) return { reason: 'invalid', message: 'the message must be a JSON object: the value, or {"op", "data"}' };
  const key = channel.slice(mapping.prefix.length, channel.length - mapping.suffix.length);
  let candidate: Record<string, unknown>;
  if (isEnvelope(parsed)) {
    candidate = { topic: mapping.topic, key, ...parsed };
  } else {
    const value = mapping.field === null ? parsed : fieldAt(parsed, mapping.field);
    if (value === undefined) return { reason: 'invalid', message: `the message has no field "${mapping.field}" (the mapping unwraps it)` };
    candidate = { topic: mapping.topic, key, op: 'upsert', data: value };
  }
  const where = `the message on ${channel.slice(0, 80)}`;
  const checked = validateEventInput(candidate, where);
  if (typeof checked === 'string') return { reason: 'invalid', message: checked };
  const refused = checkEventLimits([checked], limits, () => where);
  if (refused) return { reason: refused.code === 'value_too_large' ? 'too_large' : 'invalid', message: refused.message };
  return checked;
}

/** The first mapping whose pattern matches `pattern` (the PSUBSCRIBE pattern the message came by). */
export function mappingFor(mappings: readonly BridgeMapping[], pattern: string): BridgeMapping | undefined {
  return mappings.find((m) => m.pattern === pattern);
}

function isEnvelope(v: Record<string, unknown>): boolean {
  return typeof v.op === 'string' && (OPS as readonly string[]).includes(v.op) && Object.keys(v).every((k) => k === 'op' || k === 'data');
}

function fieldAt(value: unknown, path: string): unknown {
  let v = value;
  for (const part of path.split('.')) {
    if (!isObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
