import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { describeInEngines, type TestPage } from '../helpers/engines.js';
import { PAGE_POLL_MS, ensureKitBuilt, recordIndicatorStatuses, relayState, shownData, waitForPageLive } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { freePort, startRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { publish, spawnRelay, type SpawnedRelay } from '../helpers/relay.js';
import { demoSeed, numberedItem } from './fixtures.js';

// The relay goes away and comes back on the same address: every indicator on every page goes
// reconnecting, then live, and every widget ends up equal to the relay's snapshot, including the
// changes published (through another relay on the same Redis) while it was down. In Chromium,
// Firefox and WebKit.

let redis: PrivateRedis;
const relays: SpawnedRelay[] = [];

before(async () => {
  ensureKitBuilt();
  redis = await startRedis();
});

after(async () => {
  for (const r of relays) await r.kill();
  await redis?.stop();
});

async function relayOn(port: number): Promise<SpawnedRelay> {
  const r = await spawnRelay({ DEMO: '1', REDIS_URL: redis.url, PORT: String(port), HEARTBEAT_MS: '2000' });
  relays.push(r);
  return r;
}

/** Every widget of the page equals the relay's state for what it selects. */
async function matchesRelay(page: TestPage, url: string): Promise<string | true> {
  for (const shown of await shownData(page)) {
    const expected = await relayState(url, shown.topic, shown.key);
    // Equal values, whatever the order of their keys (WebKit's copy can list an item's keys in another order).
    if (!isDeepStrictEqual(shown.items, expected)) return `<${shown.tag} topic="${shown.topic}" key="${shown.key}"> differs from the relay: ${JSON.stringify(shown.items).slice(0, 300)} vs ${JSON.stringify(expected).slice(0, 300)}`;
  }
  return true;
}

describeInEngines('a relay restart', (engine, browser) => {
  test('relay stopped and started again: indicators go reconnecting → live and the widgets equal the snapshot', async () => {
    const port = await freePort();
    const first = await relayOn(port);
    const url = first.url;
    assert.equal((await publish(url, demoSeed())).status, 200);

    const context = await browser().newContext({ initScript: recordIndicatorStatuses });
    try {
      const pages: TestPage[] = [];
      for (const path of ['/', '/cms.html']) {
        const page = await context.newPage();
        await page.goto(url + path);
        await waitForPageLive(page);
        pages.push(page);
      }
      for (const page of pages) await page.evaluate(() => { (window as unknown as { __statuses: string[] }).__statuses = []; });

      assert.equal(await first.stop(), 0, 'the relay stops gracefully');
      for (const page of pages) {
        await page.waitForFunction('every indicator reconnecting', () => [...document.querySelectorAll('live-indicator')].every((i) => i.getAttribute('status') === 'reconnecting'), undefined, 10_000);
      }

      // While it is down, changes land in Redis through another relay.
      const other = await relayOn(0);
      const changes = [
        { topic: 'leagues', key: 'premier', op: 'patch', data: { season: 'while-down' } },
        { topic: 'services', key: 'ingest', op: 'patch', data: { status: 'failed', message: 'changed while the relay was down' } },
        numberedItem(1),
        { topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: 1_600_000, low: 1_590_000, ts: Math.floor(Date.now() / 1000) } },
      ];
      assert.equal((await publish(other.url, changes)).status, 200);
      await other.stop();

      const second = await relayOn(port);
      assert.equal(second.url, url, 'the relay is back on the same address');
      for (const page of pages) await waitForPageLive(page, 40_000);

      for (const page of pages) {
        const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
        const indicators = await page.evaluate(() => document.querySelectorAll('live-indicator').length);
        assert.ok(indicators >= 1);
        for (let i = 0; i < indicators; i++) {
          const mine = statuses.filter((s) => s.startsWith(`${i}:`)).map((s) => s.slice(s.indexOf(':') + 1));
          const down = mine.indexOf('reconnecting');
          assert.ok(down >= 0, `indicator ${i} of ${page.url()} went reconnecting (saw ${mine.join(' → ')})`);
          assert.equal(mine.at(-1), 'open', `indicator ${i} of ${page.url()} ends live (saw ${mine.join(' → ')})`);
        }
        await waitUntil(
          async () => {
            const match = await matchesRelay(page, url);
            // Thrown, so that a timeout names the element that differs.
            if (match !== true) throw new Error(match);
            return true;
          },
          `the widgets of ${page.url()} to equal the relay's snapshot`,
          10_000,
          PAGE_POLL_MS,
        );
        const shown = await shownData(page);
        const league = shown.find((d) => d.tag === 'league-standings')?.items.premier as { season?: string } | undefined;
        assert.equal(league?.season, 'while-down', 'the change made while the relay was down arrived');
      }
      // The refused connections while the relay is down, as each engine words them.
      const refused = /Failed to load resource|ERR_CONNECTION_REFUSED|NS_ERROR_CONNECTION_REFUSED|ECONNREFUSED/;
      const errors = (await Promise.all(pages.map((p) => p.errors()))).flat();
      assert.deepEqual(errors.filter((e) => !refused.test(e)), [], 'no page error besides the refused connections');
    } finally {
      await context.close();
    }
  });
});
