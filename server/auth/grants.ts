import { anySelectorMatches, formatSelector, parseSelector, type Selector } from '../../src/core/wire.js';

/**
 * What a reader may read: every topic (`*`), or a list of selectors. A whole-topic selector
 * (`services`) covers every key of the topic; a key selector (`services/api-1`) covers that key only.
 */
export type Grants = '*' | readonly Selector[];

/**
 * Parses a token's `topics` claim (an array of selectors, or one string of them separated by commas
 * or spaces). `{sub}` in an entry is replaced by the token's subject, so one token template
 * (`notifications/{sub}`) gives each user their own topic. Returns a message naming the bad entry
 * when the claim cannot be read.
 */
export function parseTopicsClaim(claim: unknown, sub: string | null): { grants: Grants } | { error: string } {
  let entries: unknown[];
  if (typeof claim === 'string') entries = claim.split(/[\s,]+/).filter(Boolean);
  else if (Array.isArray(claim)) entries = claim;
  else return { error: 'the "topics" claim is missing: give it an array of selectors, e.g. ["prices","notifications/{sub}"] or ["*"]' };
  const grants: Selector[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') return { error: `the "topics" claim holds a ${typeof entry}; every entry must be a selector string` };
    if (entry === '*') return { grants: '*' };
    if (entry.includes('{sub}') && sub === null) return { error: `the "topics" entry "${entry.slice(0, 80)}" uses {sub} but the token has no "sub" claim` };
    const text = sub === null ? entry : entry.replaceAll('{sub}', sub);
    try {
      grants.push(parseSelector(text));
    } catch (err) {
      return { error: `the "topics" claim: ${(err as Error).message}` };
    }
  }
  return { grants };
}

/** Parses PUBLIC_TOPICS (`*`, or topics and `topic/key` selectors). Throws naming the bad entry. */
export function parsePublicTopics(entries: readonly string[]): Grants {
  if (entries.includes('*')) return '*';
  return entries.map((e) => parseSelector(e));
}

/** True when `grants` cover the requested selector (a whole topic needs a whole-topic grant). */
export function grantsCover(grants: Grants, wanted: Selector): boolean {
  return grants === '*' || anySelectorMatches(grants, wanted.topic, wanted.key);
}

/** The selectors of `wanted` that `grants` do not cover, in their text form. */
export function uncovered(grants: Grants, wanted: readonly Selector[]): string[] {
  return wanted.filter((s) => !grantsCover(grants, s)).map(formatSelector);
}
