import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { PAGE_POLL_MS, ensureKitBuilt, relayState, serveCmsPage, shadowText, shownData, waitForPageLive, type CmsSite } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { metricTotal } from '../helpers/metrics.mjs';
import { freePort } from '../helpers/redis-server.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { demoSeed } from './fixtures.js';

// demo/cms.html served by another web server, on another origin than the relay, as a CMS would
// serve it: the kit loads from the relay, talks to it under CORS, and (the script being
// cross-origin, so no SharedWorker) the tabs still share one stream through a leader tab.

let relay: InProcessRelay;
let site: CmsSite;
let browser: Browser;

before(async () => {
  ensureKitBuilt();
  const sitePort = await freePort();
  relay = await startRelay({ config: { CORS_ORIGINS: [`http://localhost:${sitePort}`] } });
  assert.equal((await publish(relay.url, demoSeed())).status, 200);
  site = await serveCmsPage(relay.url, sitePort);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await relay?.close();
});

test('the CMS page works from another origin: every widget live, one stream for two tabs', async () => {
  const context = await browser.newContext();
  try {
    const pages: Page[] = [];
    const errors: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const page = await context.newPage();
      errors.push(recordPageErrors(page));
      await page.goto(site.url);
      assert.notEqual(new URL(page.url()).origin, new URL(relay.url).origin, 'the page is on another origin than the relay');
      const widgets = await waitForPageLive(page);
      assert.ok(widgets >= 4, `the CMS page has ${widgets} data widgets`);
      pages.push(page);
    }
    await waitUntil(async () => (await metricTotal(relay.url, 'live_sse_clients')) === 1, 'one stream for both tabs', 5000, PAGE_POLL_MS);

    for (const page of pages) {
      for (const shown of await shownData(page)) {
        assert.deepEqual(shown.items, await relayState(relay.url, shown.topic, shown.key), `<${shown.tag}> shows the relay's state`);
      }
    }

    await publish(relay.url, { topic: 'leagues', key: 'premier', op: 'patch', data: { name: 'Cross-origin Cup' } });
    for (const page of pages) {
      await waitUntil(async () => (await shadowText(page, 'league-standings')).includes('Cross-origin Cup'), 'the league rename on the CMS page', 5000, PAGE_POLL_MS);
    }
    assert.equal(await metricTotal(relay.url, 'live_sse_clients'), 1);
    assert.deepEqual(errors.flat(), [], 'no page logged an error (CORS refusals would show here)');
  } finally {
    await context.close();
  }
});

test('an origin missing from CORS_ORIGINS is refused by the browser', async () => {
  const other = await serveCmsPage(relay.url);
  const page = await browser.newPage();
  try {
    const errors = recordPageErrors(page);
    await page.goto(other.url);
    // The kit's script tag itself loads (no CORS for classic scripts), but the stream and snapshots may not.
    await waitUntil(() => errors.some((e) => /CORS|Access-Control-Allow-Origin/.test(e)), 'a CORS error on the page', 10_000, PAGE_POLL_MS);
    assert.notEqual(await page.locator('league-standings').getAttribute('phase'), 'ready');
  } finally {
    await page.close();
    await other.close();
  }
});
