import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeInEngines, type TestContext, type TestPage } from '../helpers/engines.js';
import { PAGE_POLL_MS, ensureKitBuilt, relayState, shownData, waitForPageLive } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { metricTotal } from '../helpers/metrics.mjs';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { demoSeed, numberedItem } from './fixtures.js';

// However many tabs and widgets, one browser holds one stream to the relay: through the
// SharedWorker, and through a leader tab where SharedWorker is missing. When the leader tab
// closes, another tab takes over without losing an event. In Chromium, Firefox and WebKit: all
// three have SharedWorker and Web Locks.

let relay: InProcessRelay;

before(() => ensureKitBuilt());

/** A relay of its own for each engine: the leader test counts every numbered item it published. */
async function startSeededRelay(): Promise<void> {
  relay = await startRelay({ config: { DEMO: true } });
  const seeded = await publish(relay.url, demoSeed());
  assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
}

const clients = () => metricTotal(relay.url, 'live_sse_clients');

/** Opens the dashboard in `count` tabs of one context, each live before the next opens. */
async function openLiveTabs(context: TestContext, count: number): Promise<TestPage[]> {
  const pages: TestPage[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(`${relay.url}/`);
    const widgets = await waitForPageLive(page);
    assert.ok(widgets >= 6, `the dashboard has ${widgets} data widgets; it should have at least six`);
    pages.push(page);
  }
  return pages;
}

/** Every error the pages logged (closed ones included). */
async function pageErrors(pages: TestPage[]): Promise<string[]> {
  return (await Promise.all(pages.map((p) => p.errors()))).flat();
}

/** Asserts the stream count is `n` now and still `n` a moment later (no second stream racing in). */
async function assertSteadyClients(n: number): Promise<void> {
  await waitUntil(async () => (await clients()) === n, `live_sse_clients to read ${n}`, 5000, PAGE_POLL_MS);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await clients(), n, `live_sse_clients should stay ${n}`);
}

describeInEngines('one stream per browser', (engine, browser) => {
  before(startSeededRelay);
  after(() => relay?.close());

  test('three tabs of the dashboard, six widgets each: the relay serves one stream', async () => {
    const context = await browser().newContext();
    try {
      const pages = await openLiveTabs(context, 3);
      assert.equal(await pages[0].evaluate(() => typeof SharedWorker), 'function', `this ${engine} has SharedWorker`);
      await assertSteadyClients(1);

      // The one stream feeds every tab. Each tab shows its services (an off-screen widget renders
      // what it holds only once seen).
      for (const page of pages) await page.evaluate(() => document.querySelector('service-status')?.scrollIntoView({ block: 'nearest' }));
      await publish(relay.url, { topic: 'services', key: 'shared', op: 'upsert', data: { name: 'Shared stream check', status: 'running', progress: 10, updatedAt: new Date().toISOString() } });
      for (const page of pages) {
        // The data the tab holds: a background tab (Firefox's) renders it only once it is seen.
        await page.waitForFunction('the shared stream check in every tab', () => ((document.querySelector('service-status') as unknown as { items?: Map<string, { name?: string }> })?.items?.get('shared')?.name ?? '') === 'Shared stream check', undefined, 5000);
      }
      assert.deepEqual(await pageErrors(pages), [], 'no page logged an error');
    } finally {
      await context.close();
    }
    await waitUntil(async () => (await clients()) === 0, 'the stream to close with the last tab', 10_000, PAGE_POLL_MS);
  });

  test('without SharedWorker the tabs elect a leader: one stream, and closing the leader loses no event', async () => {
    const context = await browser().newContext({
      initScript: () => {
        delete (window as { SharedWorker?: unknown }).SharedWorker;
      },
    });
    const resetsBefore = (await metricTotal(relay.url, 'live_replay_resets_total')) ?? 0;
    let n = 0;
    let publishing = true;
    let publisher: Promise<void> = Promise.resolve();
    try {
      // The first tab is live before the others open, so it holds the leader lock.
      const pages = await openLiveTabs(context, 3);
      assert.equal(await pages[0].evaluate(() => typeof SharedWorker), 'undefined');
      await assertSteadyClients(1);

      // Events flow all the time, including while the leadership moves.
      publisher = (async () => {
        while (publishing) {
          const r = await publish(relay.url, numberedItem(++n));
          assert.equal(r.status, 200);
          await new Promise((res) => setTimeout(res, 60));
        }
      })();
      await waitUntil(() => n >= 5, 'a few numbered items', 10_000, PAGE_POLL_MS);

      await pages[0].close();
      const closedAt = Date.now();
      const marker = `after-leader-${closedAt}`;
      for (const page of pages.slice(1)) await page.evaluate(() => document.querySelector('service-status')?.scrollIntoView({ block: 'nearest' }));
      await publish(relay.url, { topic: 'services', key: 'marker', op: 'upsert', data: { name: marker, status: 'idle', updatedAt: new Date().toISOString() } });
      for (const page of pages.slice(1)) {
        await page.waitForFunction('the marker in every remaining tab', (m) => ((document.querySelector('service-status') as unknown as { items?: Map<string, { name?: string }> })?.items?.get('marker')?.name ?? '') === m, marker, 5000);
      }
      const tookMs = Date.now() - closedAt;
      assert.ok(tookMs < 2000, `the remaining tabs updated ${tookMs} ms after the leader closed; they must within 2 s`);

      await new Promise((r) => setTimeout(r, 500));
      publishing = false;
      await publisher;
      await assertSteadyClients(1);

      // Every tab ends with exactly the relay's state: no numbered item missing or doubled.
      const expected = await relayState(relay.url, 'rss', 'demo');
      for (const page of pages.slice(1)) {
        // The data the tab holds: a background tab (Firefox's) renders it only once it is seen.
        const title = `Numbered headline ${n}`;
        await waitUntil(() => page.evaluate((t) => [...((document.querySelector('rss-feed') as unknown as { items?: Map<string, Array<{ title?: string }>> })?.items?.values() ?? [])].flat().some((i) => i?.title === t), title), 'the tab to hold the last numbered item', 5000, PAGE_POLL_MS);
        for (const shown of await shownData(page)) {
          assert.deepEqual(shown.items, await relayState(relay.url, shown.topic, shown.key), `<${shown.tag} topic="${shown.topic}" key="${shown.key}"> should equal the relay's snapshot`);
        }
        const list = (await shownData(page)).find((d) => d.tag === 'rss-feed')!.items.demo as Array<{ id: string }>;
        assert.deepEqual(list, expected.demo);
        const numbered = list.filter((i) => i.id.startsWith('n-')).map((i) => Number(i.id.slice(2)));
        assert.deepEqual(numbered, Array.from({ length: n }, (_, i) => i + 1), 'every numbered item once, in order');
      }
      assert.equal((await metricTotal(relay.url, 'live_replay_resets_total')) ?? 0, resetsBefore, 'the new leader resumed by id: no reset was needed');
      assert.deepEqual(await pageErrors(pages), [], 'no page logged an error');
    } finally {
      publishing = false;
      await publisher.catch(() => {});
      await context.close();
    }
  });
});
