import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { startSources } from '../../server/sources/start-sources.js';
import { recordPageErrors } from '../helpers/browser.js';
import { waitForPageLive } from '../helpers/e2e.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';
import { startSimulatedDemo, type SimulatedDemo } from '../helpers/simulated-demo.js';

// The kit as a guest on its host pages (issue 14): the demo pages fed by the simulator must not
// move (layout-shift entries sum to exactly 0 from navigation through seconds of live data, a
// period switch, an error, an empty state and reconnects, at 1280 and 390 px), and no element may
// make its page scroll sideways or spill out of its own box, from 320 px up.

/** Every element of the kit that the demo pages show. */
const KIT_ELEMENTS = 'live-indicator, live-price-chart, league-standings, rss-feed, service-status, live-ticker';
/** How long live data is watched for shifts after every element is ready (the simulator ticks every 0.7–4 s). */
const WATCH_MS = 6000;
/** The second relay's stream lifetime: it ends every stream this often, and the page reconnects. */
const LIFETIME_MS = 2500;

let relay: InProcessRelay;
let browser: Browser;
/** The same demo on a relay that ends its streams every {@link LIFETIME_MS}. */
let shortLived: InProcessRelay;

let demo: SimulatedDemo;

before(async () => {
  demo = await startSimulatedDemo();
  ({ relay, browser } = demo);
  shortLived = await startRelay({ config: { SIMULATE: true, DEMO: true, MAX_LIFETIME_MS: LIFETIME_MS, RETRY_MS: 300 } });
  startSources(shortLived.ctx);
});

after(async () => {
  await shortLived?.close();
  await demo?.close();
});

/**
 * Records every layout shift from the page's start (buffered), with what moved, in `window.__shifts`,
 * and the indicators' statuses as they change in `window.__statuses`. Plain JavaScript text: the
 * test's TypeScript is compiled with helpers the page does not have.
 */
const RECORD_LAYOUT_SHIFTS = `
  window.__shifts = [];
  window.__statuses = [];
  setInterval(() => {
    const s = [...document.querySelectorAll('live-indicator')].map((i) => i.getAttribute('status')).join();
    if (window.__statuses.at(-1) !== s) window.__statuses.push(s);
  }, 50);
  const describe = (node) => {
    if (!node) return '(gone)';
    const el = node instanceof Element ? node : node.parentElement;
    if (!el) return node.nodeName;
    const root = el.getRootNode();
    const host = root instanceof ShadowRoot ? root.host.localName + ' >>> ' : '';
    const part = el.getAttribute('part') ? '[part="' + el.getAttribute('part') + '"]' : '';
    const cls = el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\\s+/).join('.') : '';
    return host + el.localName + part + cls;
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__shifts.push({ value: e.value, at: Math.round(e.startTime), sources: (e.sources || []).map((s) => describe(s.node) + ' ' + [s.previousRect, s.currentRect].map((r) => Math.round(r.x) + ',' + Math.round(r.y) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height)).join(' → ')) });
    }
  }).observe({ type: 'layout-shift', buffered: true });
`;

interface Shift {
  value: number;
  at: number;
  sources: string[];
}

async function openPage(path: string, width: number, on: InProcessRelay = relay): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors = recordPageErrors(page);
  await page.addInitScript({ content: RECORD_LAYOUT_SHIFTS });
  await page.goto(`${on.url}${path}`);
  await waitForPageLive(page, 20_000);
  return { page, errors };
}

/** Charts draw once their history is in. */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() => [...document.querySelectorAll('live-price-chart')].every((c) => (c.shadowRoot?.querySelector('canvas')?.width ?? 0) > 0), undefined, { timeout: 15_000 });
}

/** The shifts recorded since the `from`th, asserted to sum to exactly 0 (the message lists what moved). */
async function assertNoShift(page: Page, from = 0): Promise<void> {
  const shifts = (await page.evaluate(() => (window as unknown as { __shifts: Shift[] }).__shifts)).slice(from);
  const sum = shifts.reduce((n, e) => n + e.value, 0);
  // Sources in a shadow tree are reported without their node ("(gone)"): their rectangles say where.
  const detail = shifts.map((e) => `  ${e.value.toFixed(6)} at ${e.at} ms: ${e.sources.join(', ')}`).join('\n');
  assert.equal(sum, 0, `layout shifts sum to ${sum.toFixed(6)}:\n${detail}`);
}

for (const path of ['/cms.html', '/']) {
  for (const width of [1280, 390]) {
    test(`${path} at ${width} px: no layout shift from load through ${WATCH_MS / 1000} s of live data`, async () => {
      const { page, errors } = await openPage(path, width);
      try {
        // A new headline, a re-ranked league, service changes, trades and game clocks come within the watch.
        await chartsDrawn(page);
        await page.waitForTimeout(WATCH_MS);
        await assertNoShift(page);
        assert.deepEqual(errors, [], 'the page logged no errors');
      } finally {
        await page.close();
      }
    });

    test(`${path} at ${width} px: a period switch, an error and an empty state move nothing either`, async () => {
      const { page, errors } = await openPage(path, width);
      try {
        await chartsDrawn(page);
        const before = await page.evaluate(() => (window as unknown as { __shifts: unknown[] }).__shifts.length);
        // Done from script, not by a click: shifts right after an input are not counted as layout shifts.
        await page.evaluate(() => {
          for (const c of document.querySelectorAll('live-price-chart')) c.setAttribute('period', c.getAttribute('period') === '24h' ? '7d' : '24h');
          (document.querySelector('rss-feed') as unknown as { error: unknown }).error = { code: 'test', message: 'The feed is unavailable.' };
          (document.querySelector('league-standings') as unknown as { items: unknown }).items = {};
        });
        await page.waitForFunction(() => [...document.querySelectorAll('live-price-chart')].every((c) => c.getAttribute('phase') === 'ready'), undefined, { timeout: 15_000 });
        await page.waitForTimeout(1000);
        await assertNoShift(page, before);
        assert.deepEqual(errors, [], 'the page logged no errors');
      } finally {
        await page.close();
      }
    });

    test(`${path} at ${width} px: reconnects move nothing`, async () => {
      const { page, errors } = await openPage(path, width, shortLived);
      try {
        await chartsDrawn(page);
        // The relay ends the stream every LIFETIME_MS: wait for two rounds of reconnecting → live.
        await page.waitForFunction(
          () => (window as unknown as { __statuses: string[] }).__statuses.filter((s) => s.split(',').every((x) => x === 'open')).length >= 3,
          undefined,
          { timeout: 20_000 },
        );
        const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
        assert.ok(statuses.some((s) => s.includes('reconnecting')), `the page reconnected (indicators went ${statuses.join(' → ')})`);
        await assertNoShift(page);
        assert.deepEqual(errors, [], 'the page logged no errors');
      } finally {
        await page.close();
      }
    });
  }
}

/**
 * A front for `target` that sends the dashboard's HTML in pieces, pausing {@link pauseMs} after
 * each opening tag of a period switch, as a slow network or a busy parser would: the browser draws
 * frames of the half-parsed page. Every other request goes through as it is (SSE included).
 */
async function serveHtmlInPieces(target: InProcessRelay, pauseMs = 300): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/') {
      const answer = await fetch(`${target.url}/`);
      const html = await answer.text();
      const pieces = html.split(/(?<=<div class="segmented"[^>]*>)/);
      assert.ok(pieces.length > 1, 'the dashboard has period switches to cut its HTML at');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': answer.headers.get('content-security-policy') ?? '' });
      for (const piece of pieces) {
        res.write(piece);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      res.end();
      return;
    }
    const upstream = request(`${target.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      pipeline(answer, res, () => {});
    });
    upstream.on('error', () => res.destroy());
    pipeline(req, upstream, () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

for (const width of [1280, 390]) {
  test(`/ at ${width} px: nothing moves while the page's HTML is still arriving`, async () => {
    const front = await serveHtmlInPieces(relay);
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    try {
      const errors = recordPageErrors(page);
      await page.addInitScript({ content: RECORD_LAYOUT_SHIFTS });
      await page.goto(`${front.url}/`);
      await waitForPageLive(page, 20_000);
      await chartsDrawn(page);
      await assertNoShift(page);
      assert.deepEqual(errors, [], 'the page logged no errors');
    } finally {
      await page.close();
      await front.close();
    }
  });
}

/** What overflows on the page: the page itself, and every kit element whose content is wider or taller than its box. */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth !== doc.clientWidth) out.push(`the page is ${doc.scrollWidth} px wide in a ${doc.clientWidth} px viewport`);
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      const box = el.getBoundingClientRect();
      const name = `<${el.localName}${el.getAttribute('key') ? ` key=${el.getAttribute('key')}` : ''}>`;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') out.push(`${name}: content ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
      // Whatever the shadow root draws (a table, a canvas, a label) stays inside the element's box:
      // what shows of a node is its box clipped by its ancestors that clip (overflow not visible).
      for (const node of el.shadowRoot?.querySelectorAll<HTMLElement>('*') ?? []) {
        const b = node.getBoundingClientRect();
        const r = { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
        for (let a = node.parentElement; a; a = a.parentElement) {
          if (getComputedStyle(a).overflow === 'visible') continue;
          const c = a.getBoundingClientRect();
          r.left = Math.max(r.left, c.left);
          r.right = Math.min(r.right, c.right);
          r.top = Math.max(r.top, c.top);
          r.bottom = Math.min(r.bottom, c.bottom);
        }
        if (r.right - r.left <= 0 || r.bottom - r.top <= 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
          out.push(`${name} >>> ${node.localName}${node.getAttribute('part') ? `[part="${node.getAttribute('part')}"]` : ''}${node.className && typeof node.className === 'string' ? `.${node.className.trim().replace(/\s+/g, '.')}` : ''} spills out: ${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)} in ${Math.round(box.left)}–${Math.round(box.right)} × ${Math.round(box.top)}–${Math.round(box.bottom)}`);
          break;
        }
      }
    }
    return out;
  }, KIT_ELEMENTS);
}

for (const path of ['/cms.html', '/']) {
  for (const width of [320, 390, 1280]) {
    test(`${path} at ${width} px: nothing overflows the page or its element's box`, async () => {
      const { page, errors } = await openPage(path, width);
      try {
        await chartsDrawn(page);
        assert.deepEqual(await overflows(page), []);
        assert.deepEqual(errors, [], 'the page logged no errors');
      } finally {
        await page.close();
      }
    });
  }
}
