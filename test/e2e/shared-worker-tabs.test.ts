import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ViteDevServer } from 'vite';
import { describeInEngines, type TestContext, type TestPage } from '../helpers/engines.js';
import { startRelay, publish, type InProcessRelay } from '../helpers/relay.js';
import { freePort } from '../helpers/redis-server.js';
import { PAGE_POLL_MS } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { metricTotal } from '../helpers/metrics.mjs';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';

/*
 * Real tabs (pages of one browser context) loading the kit from a vite dev server: they share one
 * SharedWorker and so one stream to the relay; closing a tab releases its subscriptions. Without
 * SharedWorker the tabs elect a leader, and closing the leader loses no event. The relay verifies
 * subscriber tokens (its default PUBLIC_TOPICS keep the demo topics open): tabs of one reader share
 * a stream, tabs of different readers (or anonymous and a reader) do not. In Chromium, Firefox and
 * WebKit; the leader tabs are pages whose `?noWorker` hides SharedWorker (see tab.html).
 */

const root = new URL('../..', import.meta.url).pathname;
let vite: ViteDevServer;
let relay: InProcessRelay;
let origin: string;

before(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  vite = await createServer({ root, configFile: false, logLevel: 'silent', server: { port, host: '127.0.0.1', strictPort: true, hmr: false } });
  await vite.listen();
  relay = await startRelay({ config: { CORS_ORIGINS: [origin], RETRY_MS: 300, SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET } });
});

after(async () => {
  await relay?.close();
  await vite?.close();
});

const streams = async () => (await relay.ctx.metrics.sseClients.get()).values[0]?.value ?? 0;

type Mode = 'worker' | 'leader';

/** Opens tab.html in `ctx` subscribed to `topics`: through the SharedWorker, or (`leader`) without it. */
async function openTab(ctx: TestContext, mode: Mode, topics: string[], token?: string): Promise<TestPage> {
  const q = new URLSearchParams({ relay: relay.url });
  if (token) q.set('token', token);
  if (mode === 'leader') q.set('noWorker', '1');
  for (const t of topics) q.append('topic', t);
  const page = await ctx.newPage();
  await page.goto(`${origin}/test/browser/fixtures/tab.html?${q}`);
  await page.waitForFunction('every subscription of the tab ready', () => (window as any).tab?.subs.every((s: any) => s.phase === 'ready'), undefined, 20_000);
  return page;
}

const seen = (page: TestPage) => page.evaluate(() => (window as any).tab.seen as string[]);

/** Every error the pages logged. */
async function pageErrors(pages: TestPage[]): Promise<string[]> {
  return (await Promise.all(pages.map((p) => p.errors()))).flat();
}

describeInEngines('tabs of one browser', (engine, browser) => {
  test('two tabs of one browser share one stream through the SharedWorker; closing a tab releases its topics', async () => {
    const context = await browser().newContext();
    try {
      const a = await openTab(context, 'worker', ['prices', 'rss']);
      const b = await openTab(context, 'worker', ['prices']);
      assert.equal(await a.evaluate(() => (window as any).tab.conn.mode), 'worker');
      assert.equal(await b.evaluate(() => (window as any).tab.conn.mode), 'worker');
      await waitUntil(async () => (await streams()) === 1, 'one stream for both tabs', 10_000, PAGE_POLL_MS);

      await publish(relay.url, [
        { topic: 'prices', key: '4151', op: 'upsert', data: { n: 1 } },
        { topic: 'rss', key: 'demo', op: 'append', data: { n: 2 } },
      ]);
      await waitUntil(async () => (await seen(a)).length === 2 && (await seen(b)).length === 1, 'events in both tabs', 10_000, PAGE_POLL_MS);
      assert.deepEqual(await seen(b), ['prices:1']);

      await a.close({ runBeforeUnload: true });
      await publish(relay.url, { topic: 'prices', key: '4151', op: 'upsert', data: { n: 3 } });
      await waitUntil(async () => (await seen(b)).length === 2, 'b still live', 10_000, PAGE_POLL_MS);
      assert.deepEqual(await seen(b), ['prices:1', 'prices:3']);
      // Tab a took `rss` with it: the worker reconnects for `prices` alone, and the relay may count
      // the old stream until its socket closes (WebKit's close is the slowest), then one.
      await waitUntil(async () => (await streams()) === 1, 'one stream for the remaining tab', 10_000, PAGE_POLL_MS);

      await b.close({ runBeforeUnload: true });
      await waitUntil(async () => (await streams()) === 0, 'the stream closed with the last tab', 15_000, PAGE_POLL_MS);
      assert.deepEqual(await pageErrors([a, b]), []);
    } finally {
      await context.close();
    }
  });

  test('without SharedWorker three tabs share the leader\'s stream; closing the leader loses no event', async () => {
    const noWorker = await browser().newContext();
    try {
      await waitUntil(async () => (await streams()) === 0, 'no stream left over', 15_000, PAGE_POLL_MS);
      const tabs = [await openTab(noWorker, 'leader', ['services']), await openTab(noWorker, 'leader', ['services']), await openTab(noWorker, 'leader', ['services'])];
      const leading = () => Promise.all(tabs.map((t) => (t.isClosed() ? false : t.evaluate(() => (window as any).tab.conn.leading as boolean))));
      await waitUntil(async () => (await leading()).filter(Boolean).length === 1, 'exactly one leader', 10_000, PAGE_POLL_MS);
      await waitUntil(async () => (await streams()) === 1, 'one stream for three tabs', 10_000, PAGE_POLL_MS);
      const leader = tabs[(await leading()).indexOf(true)];
      const followers = tabs.filter((t) => t !== leader);

      let n = 0;
      const send = async (count: number) => {
        for (let i = 0; i < count; i++) {
          await publish(relay.url, { topic: 'services', key: `s${n % 3}`, op: 'upsert', data: { n: ++n } });
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await send(10);
      const closedAt = Date.now();
      await leader.close();
      const sending = send(20);
      await waitUntil(async () => (await leading()).some(Boolean), 'a new leader', 2000, PAGE_POLL_MS);
      const takeover = Date.now() - closedAt;
      await sending;
      const all = Array.from({ length: n }, (_, i) => `services:${i + 1}`);
      for (const f of followers) {
        await waitUntil(async () => (await seen(f)).length >= n, 'every event in a remaining tab', 10_000, PAGE_POLL_MS);
      }
      await new Promise((r) => setTimeout(r, 200));
      for (const f of followers) assert.deepEqual(await seen(f), all);
      assert.ok(takeover < 2000, `takeover took ${takeover} ms`);
      await waitUntil(async () => (await streams()) === 1, 'one stream again', 10_000, PAGE_POLL_MS);
      assert.deepEqual(await pageErrors(followers), []);
    } finally {
      await noWorker.close();
    }
  });

  test('one stream per reader: two tabs of one identity share it (even with two tokens), two identities get two', async () => {
    // The relay's own count of open streams, as an operator reads it.
    const sseClients = () => metricTotal(relay.url, 'live_sse_clients');
    await waitUntil(async () => (await sseClients()) === 0, 'no stream left over', 15_000, PAGE_POLL_MS);
    // Two tokens of alice (a refresh gives another token, same `sub`), one of bob.
    const alice1 = await mintToken({ sub: 'alice', topics: ['notes'], expiresIn: 600 });
    const alice2 = await mintToken({ sub: 'alice', topics: ['notes'], expiresIn: 900 });
    const bob = await mintToken({ sub: 'bob', topics: ['notes'] });
    for (const mode of ['worker', 'leader'] as const) {
      const ctx = await browser().newContext();
      try {
        const a1 = await openTab(ctx, mode, ['notes'], alice1);
        const a2 = await openTab(ctx, mode, ['notes'], alice2);
        assert.equal(await a1.evaluate(() => (window as any).tab.conn.mode), mode);
        await waitUntil(async () => (await sseClients()) === 1, `${mode}: one stream for alice's two tabs`, 10_000, PAGE_POLL_MS);
        const b = await openTab(ctx, mode, ['notes'], bob);
        const anon = await openTab(ctx, mode, ['prices']);
        await waitUntil(async () => (await sseClients()) === 3, `${mode}: alice, bob and an anonymous reader: three streams`, 10_000, PAGE_POLL_MS);
        await publish(relay.url, [
          { topic: 'notes', key: 'n1', op: 'upsert', data: { n: 1 } },
          { topic: 'prices', key: '4151', op: 'upsert', data: { n: 2 } },
        ]);
        for (const t of [a1, a2, b]) await waitUntil(async () => (await seen(t)).includes('notes:1'), `${mode}: the note in every reader's tab`, 10_000, PAGE_POLL_MS);
        await waitUntil(async () => (await seen(anon)).includes('prices:2'), `${mode}: the price in the anonymous tab`, 10_000, PAGE_POLL_MS);
        // Held a moment: no tab opened a stream of its own late.
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(await sseClients(), 3);
        assert.deepEqual(await pageErrors([a1, a2, b, anon]), []);
      } finally {
        await ctx.close();
      }
      await waitUntil(async () => (await sseClients()) === 0, `${mode}: the streams closed with the tabs`, 15_000, PAGE_POLL_MS);
    }
  });
});
