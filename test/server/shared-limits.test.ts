// The kit and the relay agree on the limits they both apply (issue 13): one definition in
// src/core/wire-rules.ts, read by the relay's config defaults and by every copy of a topic's state
// in the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../server/config.js';
import { LIST_LIMIT, MAX_KEY_LENGTH, applyEvent, parseSelector } from '../../src/core/wire.js';
import { createBus } from '../../server/bus/create-bus.js';

test('the relay keeps as long an append list by default as the kit does', async () => {
  const config = loadConfig({});
  assert.equal(config.LIST_LIMIT, LIST_LIMIT);
  const bus = await createBus(config); // the relay's bus as its default configuration makes it
  try {
    const events = Array.from({ length: LIST_LIMIT + 50 }, (_, i) => ({ topic: 'rss', key: 'feed', op: 'append' as const, data: i }));
    await bus.append(events);
    const relayList = (await bus.snapshot('rss')).items.feed as number[];
    // The browser's copy applies the same events with the kit's limit.
    const kit = new Map<string, unknown>();
    for (const e of events) applyEvent(kit, e, LIST_LIMIT);
    assert.deepEqual(kit.get('feed'), relayList);
    assert.equal(relayList.length, LIST_LIMIT);
    assert.equal(relayList[0], 50);
  } finally {
    await bus.close();
  }
});

test('the relay refuses the same keys the kit refuses', () => {
  const longest = `rss/${'k'.repeat(MAX_KEY_LENGTH)}`;
  assert.equal(parseSelector(longest).key?.length, MAX_KEY_LENGTH);
  assert.throws(() => parseSelector(`${longest}k`), /key/);
});
