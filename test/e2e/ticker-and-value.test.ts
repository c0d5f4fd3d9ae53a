import { test, before, after } from 'node:test';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { recordPageErrors } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.mjs';
import { PAGE_POLL_MS, ensureKitBuilt, serveCmsPage, type CmsSite } from '../helpers/e2e.js';
import { waitUntil } from '../helpers/wait.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';
import { startSources } from '../../server/sources/start-sources.js';

// The dashboard and the CMS page with the script tag: <live-ticker> and <live-value> load as their
// own chunks, show the simulator's trades, games and prices live, and shift nothing while loading.

let relay: InProcessRelay;
let cms: CmsSite;
let browser: Browser;

before(async () => {
  ensureKitBuilt();
  relay = await startRelay({ config: { SIMULATE: true, DEMO: true, CORS_ORIGINS: ['*'] } });
  startSources(relay.ctx);
  cms = await serveCmsPage(relay.url);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await cms?.close();
  await relay?.close();
});

/** Records the boxes of the page's tickers and values as the HTML first lays them out, before their chunks load. */
function recordFirstBoxes(): void {
  document.addEventListener('DOMContentLoaded', () => {
    const w = window as unknown as { __first: Array<{ tag: string; defined: boolean; width: number; height: number }> };
    w.__first = [...document.querySelectorAll('live-ticker, live-value')].map((el) => {
      const r = el.getBoundingClientRect();
      return { tag: el.localName, defined: customElements.get(el.localName) !== undefined, width: r.width, height: r.height };
    });
  });
}

/** The same boxes now. */
function boxes(page: Page): Promise<Array<{ tag: string; width: number; height: number }>> {
  return page.evaluate(() =>
    [...document.querySelectorAll('live-ticker, live-value')].map((el) => {
      const r = el.getBoundingClientRect();
      return { tag: el.localName, width: r.width, height: r.height };
    }),
  );
}

async function checkPage(page: Page, url: string, chunks: string[]): Promise<void> {
  await page.addInitScript(recordFirstBoxes);
  const errors = recordPageErrors(page);
  await page.goto(url);
  const tickerText = (topic: string) => page.evaluate((t) => document.querySelector(`live-ticker[topic="${t}"]`)?.shadowRoot?.querySelector('ul')?.textContent?.replace(/\s+/g, ' ').trim() ?? '', topic);
  await waitUntil(async () => /AAPL \d+\.\d\d/.test(await tickerText('trades')), 'the trades ticker', 15_000, PAGE_POLL_MS);
  await waitUntil(async () => /(Final|Q[1-4]|OT)/.test(await tickerText('games')), 'the games ticker', 15_000, PAGE_POLL_MS);
  const value = () => page.evaluate(() => document.querySelector('live-value')?.shadowRoot?.querySelector('[part="value"]')?.textContent ?? '');
  await waitUntil(async () => /^\d{1,3}(,\d{3})+$/.test(await value()), 'the live value', 15_000, PAGE_POLL_MS);
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  for (const chunk of chunks) assert.ok(loaded.some((n) => n.includes(`/chunks/${chunk}-`)), `the ${chunk} chunk was loaded: ${loaded.join(', ')}`);
  // Nothing around them moves when they load: a ticker keeps the height the page reserved, a
  // value the width of the text it was written with (give or take the digits of a new price).
  const first = await page.evaluate(() => (window as unknown as { __first: Array<{ tag: string; defined: boolean; width: number; height: number }> }).__first);
  assert.ok(first.length >= 3 && first.every((b) => !b.defined), `measured before the chunks loaded: ${JSON.stringify(first)}`);
  const now = await boxes(page);
  for (const [i, b] of now.entries()) {
    assert.equal(b.height, first[i].height, `<${b.tag}> #${i} kept its height (${JSON.stringify(first[i])} → ${JSON.stringify(b)})`);
    if (b.tag === 'live-value') assert.ok(Math.abs(b.width - first[i].width) < 6, `<live-value> kept about its width: ${first[i].width} → ${b.width}`);
  }
  assert.deepEqual(errors, []);
}

test('the dashboard shows both tickers and the live value, loaded as their own chunks, with no shift', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    await checkPage(page, `${relay.url}/`, ['live-ticker', 'live-value']);
  } finally {
    await page.close();
  }
});

test('the CMS page shows the value inside its prose and both tickers', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, locale: 'en-US' });
  try {
    await checkPage(page, cms.url, ['live-ticker', 'live-value']);
    const sentence = await page.evaluate(() => document.querySelector('live-value')!.closest('p')!.textContent!.replace(/\s+/g, ' '));
    assert.match(sentence, /^Abyssal whip trades at 1,650,000 gp as we write/);
  } finally {
    await page.close();
  }
});

/** A TCP proxy to the relay that records the stream requests passing through it (the SharedWorker's too). */
async function streamRecorder(port: number): Promise<{ url: string; streams: string[]; close(): Promise<void> }> {
  const streams: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => (client.destroy(), upstream.destroy())).on('close', () => sockets.delete(s));
    }
    client.on('data', (b: Buffer) => {
      for (const m of b.toString('latin1').matchAll(/^GET (\/v1\/events\?\S+) HTTP/gm)) streams.push(m[1]);
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => client.write(b));
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('the lazily loaded elements\' selections are in the first stream request, before their chunks arrive', async () => {
  // The dashboard through a recording proxy: its origin, so the SharedWorker carries the stream.
  const proxy = await streamRecorder(Number(new URL(relay.url).port));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    await page.goto(`${proxy.url}/`);
    await waitUntil(() => page.evaluate(() => [...document.querySelectorAll('live-value, live-ticker')].every((e) => e.getAttribute('phase') === 'ready')), 'the values and tickers ready', 15_000, PAGE_POLL_MS);
    const wanted = await page.evaluate(() => [...document.querySelectorAll('live-value, live-ticker')].map((e) => (e.getAttribute('key') ? `${e.getAttribute('topic')}/${e.getAttribute('key')}` : e.getAttribute('topic')!)));
    assert.ok(wanted.length >= 3 && proxy.streams.length >= 1, `selections ${wanted.join(', ')}; stream requests ${proxy.streams.join(' ')}`);
    const first = new URLSearchParams(proxy.streams[0].split('?')[1]).get('topics')!.split(',');
    for (const s of wanted) assert.ok(first.includes(s) || first.includes(s.split('/')[0]), `${s} in the first stream request (${first.join(', ')}); all: ${proxy.streams.join(' ')}`);
  } finally {
    await page.close();
    await proxy.close();
  }
});
