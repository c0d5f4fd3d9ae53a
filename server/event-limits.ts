import type { AppendInput } from './bus/bus.js';
import type { Config } from './config.js';

/**
 * The limits every door into the log applies before anything is stored: the publish route, the
 * Sequin webhook, and any future source of outside events (a Redis Pub/Sub bridge) call
 * {@link checkEventLimits}. A value nested deeper than the limit could not be encoded for the
 * stream (JSON.stringify overflows the stack), so it would be stored and then poison every batch
 * and replay that carries it; a value larger than the limit costs every client its size.
 */
export interface EventLimits {
  /** Deepest nesting of arrays and objects in one value (`MAX_VALUE_DEPTH`). */
  maxDepth: number;
  /** Largest value, in bytes of its JSON (`MAX_VALUE_BYTES`). */
  maxBytes: number;
  /** Most events in one batch: the log's retained length (`HISTORY_SIZE`). */
  maxEvents: number;
}

/** The limits the configuration sets. */
export function eventLimits(config: Pick<Config, 'MAX_VALUE_DEPTH' | 'MAX_VALUE_BYTES' | 'HISTORY_SIZE'>): EventLimits {
  return { maxDepth: config.MAX_VALUE_DEPTH, maxBytes: config.MAX_VALUE_BYTES, maxEvents: config.HISTORY_SIZE };
}

/** Why a batch is refused: the HTTP status, a stable code and a message naming the input and the limit. */
export interface LimitRefusal {
  status: 400 | 413;
  code: 'batch_too_large' | 'value_too_deep' | 'value_too_large';
  message: string;
}

/**
 * Checks a batch against the limits and encodes each value once, into `dataJson`, so the bus
 * stores (and the stream sends) exactly that text. Returns null when the whole batch may be
 * appended, else the refusal for the first bad input; `where(i)` names input i in the message
 * (`events[3]`, `data[3].record`).
 *
 * A batch longer than the retained log is refused rather than delivered in part: a relay reading
 * the shared log after it was trimmed, or a client resuming inside it, could not get it whole.
 */
export function checkEventLimits(inputs: AppendInput[], limits: EventLimits, where: (i: number) => string): LimitRefusal | null {
  if (inputs.length > limits.maxEvents) {
    return {
      status: 413,
      code: 'batch_too_large',
      message: `the batch has ${inputs.length} events, more than the log retains (HISTORY_SIZE=${limits.maxEvents}); split it into batches of at most ${limits.maxEvents}`,
    };
  }
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    if (input.op === 'delete') continue;
    if (nestedDeeperThan(input.data, limits.maxDepth)) {
      return {
        status: 400,
        code: 'value_too_deep',
        message: `${where(i)} nests arrays and objects more than ${limits.maxDepth} levels deep (MAX_VALUE_DEPTH); flatten the value`,
      };
    }
    const json = JSON.stringify(input.data) ?? 'null';
    const bytes = Buffer.byteLength(json);
    if (bytes > limits.maxBytes) {
      return {
        status: 400,
        code: 'value_too_large',
        message: `${where(i)} is ${bytes} bytes of JSON, more than ${limits.maxBytes} (MAX_VALUE_BYTES); send a smaller value or a reference to it`,
      };
    }
    input.dataJson = json;
  }
  return null;
}

/**
 * True when `value` nests arrays/objects more than `max` levels (a scalar is level 0, `[]` level 1).
 * Iterative, so a value of any depth is judged without overflowing the stack.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop()!;
    if (depth > max) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
