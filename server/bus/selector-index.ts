import type { Selector } from '../../src/core/wire.js';

/**
 * A stream's selectors indexed by topic: whether an event matches costs one map lookup (and one set
 * lookup for `topic/key` selectors), however many selectors the stream has, where a scan of the
 * list cost one test per selector for every event of a replay or a live batch.
 */
export class SelectorIndex {
  /** topic → the keys selected, or null when the whole topic is. */
  private readonly byTopic = new Map<string, Set<string> | null>();

  constructor(selectors: readonly Selector[]) {
    for (const { topic, key } of selectors) {
      const keys = this.byTopic.get(topic);
      if (keys === null) continue;
      if (key === undefined) this.byTopic.set(topic, null);
      else if (keys) keys.add(key);
      else this.byTopic.set(topic, new Set([key]));
    }
  }

  /** The topics selected, in first-selected order. */
  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  /** True when the topic is selected at all. */
  hasTopic(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  /** True when every selected topic is selected whole (so the topic alone decides a match). */
  wholeTopics(): boolean {
    for (const keys of this.byTopic.values()) if (keys !== null) return false;
    return true;
  }

  /** True when a selector covers this topic and key. */
  matches(topic: string, key: string): boolean {
    const keys = this.byTopic.get(topic);
    return keys === null || (keys !== undefined && keys.has(key));
  }
}
