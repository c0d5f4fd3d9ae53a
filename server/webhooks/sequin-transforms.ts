import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What a transform is told besides the message: the table, and the topic and key the default mapping would use. */
export interface TransformContext {
  readonly table: string;
  /** The topic the default mapping gives the table (SEQUIN_TOPIC_MAP, else the table's name). */
  readonly topic: string;
  /** The record's primary key column's value as a string (SEQUIN_KEY_MAP, else `id`), when it has one. */
  readonly key: string | undefined;
}

/**
 * A per-table transform: maps one Sequin message (`{record, changes, action, metadata}`) to zero or
 * more events `{topic, key, op, data}`: one, an array, or null/undefined for none. It may be async.
 */
export type SequinTransform = (message: Record<string, unknown>, context: TransformContext) => unknown;

/** Table name → its transform. */
export type SequinTransforms = ReadonlyMap<string, SequinTransform>;

/** The TRANSFORMS module could not be loaded or exports no transform; the message says how to fix it. */
export class TransformsLoadError extends Error {
  override readonly name = 'TransformsLoadError';
}

/**
 * Loads the TRANSFORMS module (a path relative to the working directory; .mjs/.js, or .ts under
 * tsx): every exported function is the transform of the table it is named after, and a default
 * export that is an object maps table names (any, e.g. `"public.scores"`) to functions.
 */
export async function loadTransforms(path: string): Promise<SequinTransforms> {
  const url = pathToFileURL(resolve(path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new TransformsLoadError(`TRANSFORMS=${path}: the module could not be loaded from ${resolve(path)}: ${(err as Error).message}`);
  }
  const table = new Map<string, SequinTransform>();
  for (const [name, value] of Object.entries(mod)) {
    if (name !== 'default' && typeof value === 'function') table.set(name, value as SequinTransform);
  }
  const fallback = mod.default;
  if (typeof fallback === 'object' && fallback !== null) {
    for (const [name, value] of Object.entries(fallback)) {
      if (typeof value !== 'function') throw new TransformsLoadError(`TRANSFORMS=${path}: default export's "${name}" is not a function (each table's transform is a function of the Sequin message)`);
      table.set(name, value as SequinTransform);
    }
  }
  if (table.size === 0) {
    throw new TransformsLoadError(`TRANSFORMS=${path}: the module exports no transform; export a function named after each table, e.g. export function yahoo_leagues(message) { return {topic, key, op: 'upsert', data} }`);
  }
  return table;
}
