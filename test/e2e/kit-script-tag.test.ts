import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { describeInEngines, type TestContext } from '../helpers/engines.js';
import { PAGE_POLL_MS } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

const root = new URL('../..', import.meta.url).pathname;
const dist = join(root, 'dist');

/**
 * The built kit as a CMS page uses it: one classic script tag from the relay, on a page of another
 * origin, plain HTML elements. Elements load on use; uPlot only with a chart. A kit loaded from
 * another origin cannot start its SharedWorker, so those pages also exercise the fallback (leader
 * election, its stream code loaded on demand); `/same-origin` serves the kit from the page's own
 * origin, where the SharedWorker runs the stream and the page never loads that code. In Chromium,
 * Firefox and WebKit, each test in a fresh browser profile.
 */
let relay: InProcessRelay;
let site: Server;
let siteUrl = '';
/** What the site served from /kit/ (the kit from the page's own origin), the SharedWorker's script included. */
const siteKitRequests: string[] = [];

before(async () => {
  if (!existsSync(join(dist, 'live-elements.js'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs', '--no-types', '--no-analyze'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
  }
  relay = await startRelay({ config: { KIT_DIR: dist, CORS_ORIGINS: ['*'] } });
  const tag = `<script src="${relay.url}/live-elements.js" data-relay="${relay.url}" defer></script>`;
  const pages: Record<string, (query: URLSearchParams) => string> = {
    '/status': () => `<!doctype html><title>status</title>${tag}<service-status topic="services" locale="en-US"></service-status>`,
    '/same-origin': () => `<!doctype html><title>same origin</title><script src="/kit/live-elements.js" data-relay="${relay.url}" defer></script>
      <live-indicator></live-indicator><service-status topic="services" locale="en-US"></service-status>
      <league-standings topic="leagues"></league-standings><rss-feed topic="rss"></rss-feed>`,
    '/same-origin-missing-worker': () => `<!doctype html><title>missing worker</title><script src="/kit/live-elements.js" data-relay="${relay.url}" data-worker="/kit/no-such-worker.js" defer></script>
      <service-status topic="services" locale="en-US"></service-status>`,
    '/chart': (q) => `<!doctype html><title>chart</title>${tag}<live-price-chart topic="prices" key="${q.get('key')}" period="1h" style="width:500px"></live-price-chart>`,
  };
  site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const body = pages[url.pathname]?.(url.searchParams);
    const file = url.pathname.startsWith('/kit/') ? normalize(join(dist, url.pathname.slice(5))) : null;
    if (file) siteKitRequests.push(url.pathname);
    if (body) res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
    else if (file?.startsWith(dist) && existsSync(file)) res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(file));
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, 'localhost', resolve));
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await relay?.close();
});

/** Opens `path` in `context`, sees its <service-status> get the relay's row and then a live patch to `status`. */
async function openLiveStatusPage(context: TestContext, path: string, status: string) {
  // Each engine's run starts from `running`, so that the patch is a change it must receive.
  await relay.ctx.bus.append([{ topic: 'services', key: 'api', op: 'upsert', data: { name: 'API', status: 'running', progress: 40, updatedAt: new Date().toISOString() } }]);
  const page = await context.newPage();
  await page.goto(`${siteUrl}${path}`);
  const badge = () => page.evaluate(() => document.querySelector('service-status')?.shadowRoot?.querySelector('[part="badge"]')?.textContent ?? null);
  await waitUntil(async () => (await badge()) === 'running', 'the service row from the relay', 15_000, PAGE_POLL_MS);
  await relay.ctx.bus.append([{ topic: 'services', key: 'api', op: 'patch', data: { status } }]);
  await waitUntil(async () => (await badge()) === status, 'the live patch', 15_000, PAGE_POLL_MS);
  const mode = () => page.evaluate(() => (document.querySelector('service-status') as unknown as { live: { liveConnection: { mode: string } } }).live.liveConnection.mode);
  return { page, mode };
}

describeInEngines('the script-tag kit on a page of another origin', (engine, browser) => {
  let context: TestContext;
  beforeEach(async () => {
    context = await browser().newContext();
  });
  afterEach(async () => {
    await context?.close();
  });

  test('a page without a chart gets its widget live and never downloads uPlot', async () => {
    const { page, mode } = await openLiveStatusPage(context, '/status', 'failed');
    const requested = await page.requested();
    assert.deepEqual(requested.filter((u) => /uPlot|live-price-chart/i.test(u)), []);
    assert.ok(requested.some((u) => /chunks\/kit-/.test(u)), 'the loader imported the kit chunk');
    // No SharedWorker from another origin: the leader-election stream code was loaded on demand.
    assert.equal(await mode(), 'leader');
    assert.ok(requested.some((u) => /chunks\/stream-links-/.test(u)), 'the fallback loaded its stream chunk');
    assert.deepEqual(await page.errors(), []);
  });

  test('when the stream chunk cannot be loaded, the widgets say so instead of waiting forever', async () => {
    const page = await context.newPage();
    // A CDN or proxy that serves the kit's entry but not its chunks/ folder.
    await page.failRequests(/\/chunks\/stream-links-/);
    await page.goto(`${siteUrl}/status`);
    const shown = () =>
      page.evaluate(() => {
        const el = document.querySelector('service-status');
        return el?.getAttribute('phase') === 'error' ? (el.shadowRoot?.querySelector('[part="error"]')?.textContent ?? '') : null;
      });
    const message = await waitUntil(shown, 'the widget to show the load failure', 15_000, PAGE_POLL_MS);
    assert.match(message, /could not load its stream code/);
    assert.match(message, /chunks\/ folder/);
  });

  test('a page served with the kit from its own origin streams through the SharedWorker and never downloads the stream chunk, nor the token code without a token', async () => {
    siteKitRequests.length = 0;
    const { page, mode } = await openLiveStatusPage(context, '/same-origin', 'degraded');
    await waitUntil(() => page.evaluate(() => document.querySelector('live-indicator')?.getAttribute('status') === 'open'), 'the indicator says live', 15_000, PAGE_POLL_MS);
    assert.equal(await mode(), 'worker');
    // What the site served (a page's request events leave out its SharedWorker's in some engines).
    const requested = [...siteKitRequests];
    assert.ok(requested.some((u) => /\/kit\/chunks\/connection-worker-/.test(u)), 'the SharedWorker was started');
    assert.deepEqual(requested.filter((u) => /stream-links|token-|uPlot|live-price-chart/i.test(u)), []);
    // Whatever the chunks are called: no file the page itself ran holds the SSE client.
    const pageFiles = requested.filter((u) => !/connection-worker/.test(u));
    assert.deepEqual(
      pageFiles.map((u) => u.replace(/(\/chunks\/kit)-[\w-]+\.js$/, '$1.js')),
      ['/kit/live-elements.js', '/kit/chunks/kit.js'],
      `the loader and the one kit chunk: ${pageFiles.join(', ')}`,
    );
    for (const u of pageFiles) assert.doesNotMatch(readFileSync(join(dist, u.slice(5)), 'utf8'), /text\/event-stream/, `${u} holds the stream code`);
    assert.deepEqual(await page.errors(), []);
  });

  test('the kit talks to the SharedWorker the loader started: one SharedWorker per page, not a second one once the kit runs', async () => {
    await context.close();
    context = await browser().newContext({
      initScript: () => {
        const Original = window.SharedWorker;
        const w = window as unknown as { sharedWorkersStarted: number };
        w.sharedWorkersStarted = 0;
        window.SharedWorker = function (this: unknown, ...args: ConstructorParameters<typeof SharedWorker>) {
          w.sharedWorkersStarted++;
          return new Original(...args);
        } as unknown as typeof SharedWorker;
      },
    });
    const { page, mode } = await openLiveStatusPage(context, '/same-origin', 'completed');
    assert.equal(await mode(), 'worker');
    assert.equal(await page.evaluate(() => (window as unknown as { sharedWorkersStarted: number }).sharedWorkersStarted), 1);
    assert.deepEqual(await page.errors(), []);
  });

  test('when the SharedWorker the loader started fails to load, the kit falls back to leader election and the widget gets live', async () => {
    const { mode } = await openLiveStatusPage(context, '/same-origin-missing-worker', 'idle');
    assert.equal(await mode(), 'leader');
  });

  test('a page with a chart asks for the chart\'s code beside the kit, not once the kit has run', async () => {
    const page = await context.newPage();
    await page.goto(`${siteUrl}/chart?key=early-${engine}`);
    await page.waitForFunction('the chart chunk', () => performance.getEntriesByType('resource').some((e) => /chunks\/live-price-chart-/.test(e.name)));
    const t = await page.evaluate(() => {
      const all = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      return { kitIn: all.find((e) => /chunks\/kit-/.test(e.name))!.responseEnd, chartAsked: all.find((e) => /chunks\/live-price-chart-/.test(e.name))!.startTime };
    });
    assert.ok(t.chartAsked < t.kitIn, `the chart chunk was asked for at ${t.chartAsked} ms, after the kit chunk was in (${t.kitIn} ms)`);
  });

  test('a page with a chart loads the chart and uPlot, draws the history and a live point', async () => {
    // A key of this engine's own: five points of history, then one live point.
    const key = `e2e-${engine}-${Date.now().toString(36)}`;
    const nowS = Math.floor(Date.now() / 1000);
    await relay.ctx.bus.append(Array.from({ length: 5 }, (_, i) => ({ topic: 'prices', key, op: 'upsert' as const, data: { high: 10 + i, low: 5 + i, ts: nowS - (6 - i) * 60 } })));
    const page = await context.newPage();
    await page.goto(`${siteUrl}/chart?key=${key}`);
    const count = () => page.evaluate(() => (document.querySelector('live-price-chart') as unknown as { pointCount?: number } | null)?.pointCount ?? 0);
    await waitUntil(async () => (await count()) === 5, 'the history', 15_000, PAGE_POLL_MS);
    await waitUntil(() => page.evaluate(() => !!document.querySelector('live-price-chart')?.shadowRoot?.querySelector('canvas')), 'the canvas', 15_000, PAGE_POLL_MS);
    await relay.ctx.bus.append([{ topic: 'prices', key, op: 'upsert', data: { high: 99, low: 98, ts: Math.floor(Date.now() / 1000) } }]);
    await waitUntil(async () => (await count()) === 6, 'the live point', 15_000, PAGE_POLL_MS).catch(async (err: Error) => {
      const state = await page.evaluate(() => {
        const c = document.querySelector('live-price-chart') as unknown as { chartData: unknown; history: unknown; items: Map<string, unknown> };
        return JSON.stringify({ data: c.chartData, history: c.history, items: [...c.items] });
      });
      throw new Error(`${err.message}; chart: ${state}; page: ${(await page.errors()).join(' | ')}`);
    });
    assert.ok((await page.requested()).some((u) => /chunks\/uPlot/i.test(u)), 'uPlot was loaded');
    assert.deepEqual(await page.errors(), []);
  });
});
