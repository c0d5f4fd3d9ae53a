import assert from 'node:assert/strict';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { PAGE_POLL_MS, ensureKitBuilt } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { metricTotal } from '../helpers/metrics.mjs';
import { freePort } from '../helpers/redis-server.js';
import { runCommand } from '../helpers/run-command.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { demoSeed } from './fixtures.js';

/*
 * The React, Vue and Svelte apps under examples/, each installed with `npm ci` in its own folder
 * (live-elements comes from this repository as a packed copy, see their .npmrc), built with Vite
 * and opened in Chromium against a real relay. Each app shows a chart and standings fed by the
 * relay, and a list driven by its own state through `items`; it counts the `live-change` events
 * its framework handlers receive and can unmount the relay-fed widgets.
 * The apps' lockfiles list live-elements' own dependencies: after changing those in the root
 * package.json, refresh them with `npm install --package-lock-only` in each app (npm ci would
 * otherwise install the old set without complaint).
 */

const root = new URL('../..', import.meta.url).pathname;
const APPS = ['react', 'vue', 'svelte'] as const;

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serves a built app's dist/ folder on 127.0.0.1 (index.html for `/`). */
async function serveDir(dir: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The number an `<output id=...>` of the app shows. */
async function shownCount(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`#${id}`).textContent());
}

let browser: Browser;

/**
 * The stream runs in the kit's SharedWorker, which the app's bundler found in the package and
 * emitted beside the app: a worker script the app does not serve would fail quietly (the kit
 * falls back to a leader tab), so this asks Chromium for its shared workers and loads the script.
 */
async function assertWorkerServed(siteUrl: string): Promise<void> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: Array<{ type: string; url: string }> };
    const workers = targetInfos.filter((t) => t.type === 'shared_worker').map((t) => t.url);
    assert.equal(workers.length, 1, `one SharedWorker runs the stream; targets: ${JSON.stringify(targetInfos.map((t) => [t.type, t.url]))}`);
    assert.ok(workers[0].startsWith(`${siteUrl}/assets/connection-worker-`), `the worker comes from the app's build: ${workers[0]}`);
    const res = await fetch(workers[0]);
    assert.equal(res.status, 200, `the app serves its worker script ${workers[0]}`);
  } finally {
    await cdp.detach();
  }
}

before(async () => {
  // The apps install the package from this folder: its dist/ must hold the current build.
  ensureKitBuilt();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

for (const app of APPS) {
  describe(`examples/${app}`, () => {
    const dir = join(root, 'examples', app);
    let relay: InProcessRelay;
    let site: { url: string; close(): Promise<void> };

    before(async () => {
      runCommand('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], dir, 240_000);
      runCommand(process.execPath, [join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], dir, 120_000);
      const port = await freePort();
      // The app's origin is another than the relay's: the relay allows it by CORS_ORIGINS.
      relay = await startRelay({ config: { CORS_ORIGINS: [`http://127.0.0.1:${port}`] } });
      const seeded = await publish(relay.url, demoSeed());
      assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
      site = await serveDir(join(dir, 'dist'), port);
    });

    after(async () => {
      await site?.close();
      await relay?.close();
    });

    test('shows relay data, fires its live-change handlers, and unmounting closes the stream', async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const errors = recordPageErrors(page);
        await page.goto(`${site.url}/?relay=${encodeURIComponent(relay.url)}`);

        // Data arrives: the chart draws the seeded prices, the standings show the league.
        await page.waitForFunction(
          () => ['live-price-chart', 'league-standings', 'service-status'].every((t) => document.querySelector(t)?.getAttribute('phase') === 'ready'),
          undefined,
          { timeout: 15_000, polling: 100 },
        ).catch((err: Error) => { throw new Error(`the widgets did not get ready; page errors: ${errors.join('; ') || 'none'}`, { cause: err }); });
        const shown = await page.evaluate(() => {
          const chart = document.querySelector('live-price-chart') as unknown as { key: string; pointCount: number };
          const standings = document.querySelector('league-standings') as unknown as { key: string; items: Map<string, { name: string }> };
          return { chartKey: chart.key, points: chart.pointCount, standingsKey: standings.key, league: standings.items.get('premier')?.name };
        });
        assert.equal(shown.chartKey, '4151', 'the chart got its key (set as the README says)');
        assert.ok(shown.points > 0, 'the chart draws the seeded prices');
        assert.deepEqual([shown.standingsKey, shown.league], ['premier', 'Premier Division']);
        await waitUntil(async () => (await metricTotal(relay.url, 'live_sse_clients')) === 1, 'one stream for the chart and the standings', 5_000, PAGE_POLL_MS);
        await assertWorkerServed(site.url);

        // The framework's handler of the standings' live-change runs on a relay update.
        const update = demoSeed().find((e) => e.topic === 'leagues')!;
        const renamed = { ...update, data: { ...(update.data as object), name: 'Premier Division (updated)' } };
        assert.equal((await publish(relay.url, [renamed])).status, 200);
        await waitUntil(async () => (await shownCount(page, 'relay-changes')) >= 1, 'the app to count a live-change of the standings', 5_000, PAGE_POLL_MS);
        assert.match(await page.evaluate(() => document.querySelector('league-standings')?.shadowRoot?.textContent ?? ''), /Premier Division \(updated\)/);

        // The list follows the app's own state through `items`, and its live-change reaches the app.
        assert.equal(await shownCount(page, 'list-changes'), 0);
        await page.click('#advance');
        await waitUntil(async () => (await shownCount(page, 'list-changes')) === 1, 'the app to count a live-change of its list', 5_000, PAGE_POLL_MS);
        const progress = await page.evaluate(() => ((document.querySelector('service-status') as unknown as { items: Map<string, { progress: number }> }).items.get('build')?.progress));
        assert.equal(progress, 40);

        // Unmounting the relay-fed widgets closes the browser's stream: they were its last subscribers.
        await page.click('#toggle-live');
        await waitUntil(async () => (await metricTotal(relay.url, 'live_sse_clients')) === 0, 'the relay to see the stream close', 5_000, PAGE_POLL_MS);
        assert.equal(await page.locator('league-standings').count(), 0);
        assert.equal(await page.locator('service-status').count(), 1, 'the state-driven list stays');

        assert.deepEqual(errors, [], 'the page reported no errors and no failed loads');
      } finally {
        await context.close();
      }
    });
  });
}
