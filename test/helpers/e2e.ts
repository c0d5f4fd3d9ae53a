import { createServer, type Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitUntil } from './wait.js';
import { freePort } from './redis-server.js';

/**
 * What these helpers need of a page: a playwright-core Page and the engines' TestPage
 * (engines.ts) both are one.
 */
export interface PageLike {
  url(): string;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/** The relay address written in demo/cms.html, swapped for the real one wherever it is served. */
export const CMS_RELAY_PLACEHOLDER = 'http://localhost:8080';

/**
 * How often the e2e tests poll (the `everyMs` of waitUntil): each probe is a round trip to a
 * browser (CDP, BiDi or WebDriver) or to the relay, so they poll less often than the server tests.
 */
export const PAGE_POLL_MS = 50;

/** A second web server, on another port (so another origin), that serves demo/cms.html as a CMS would. */
export interface CmsSite {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves demo/cms.html at `/` pointing at `relayUrl`, from an origin other than the relay's:
 * `http://localhost:<port>` (pick `port` first when the relay's CORS_ORIGINS must name it).
 */
export async function serveCmsPage(relayUrl: string, port?: number): Promise<CmsSite> {
  const template = await readFile(new URL('../../demo/cms.html', import.meta.url), 'utf8');
  const html = template.replaceAll(CMS_RELAY_PLACEHOLDER, relayUrl);
  const server: Server = createServer((req, res) => {
    if (req.url === '/' || req.url === '/cms.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
    } else {
      res.writeHead(404).end();
    }
  });
  port ??= await freePort();
  // "localhost" vs the relay's 127.0.0.1 and another port: a different origin and a different site.
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const root = new URL('../..', import.meta.url).pathname;

/** Newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/**
 * Builds the script-tag kit (`scripts/build.mjs --no-types --no-analyze`, as `npm start` does) when
 * dist/live-elements.js is missing or older than src/, so the relay under test serves the code
 * being tested. A fresh build is reused: the e2e files share it.
 */
export function ensureKitBuilt(): void {
  const out = join(root, 'dist/live-elements.js');
  const inputs = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'vite.config.ts')).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs >= inputs) return;
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--no-types', '--no-analyze'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0 || !existsSync(out)) {
    throw new Error(`building the kit failed (scripts/build.mjs, exit ${r.status}); run \`npm run build\` to see why:\n${r.stdout}\n${r.stderr}`);
  }
}

/** The elements of the demo pages that show topic data (every one but the indicator). */
export const DATA_ELEMENTS = 'live-price-chart, league-standings, rss-feed, service-status';

/**
 * Waits until every data element of the page is `phase="ready"` and its indicators are `open`.
 * Returns how many data elements there are.
 */
export async function waitForPageLive(page: PageLike, timeoutMs = 15_000): Promise<number> {
  try {
    await waitUntil(
      () =>
        page.evaluate((sel) => {
          const els = [...document.querySelectorAll(sel)];
          const inds = [...document.querySelectorAll('live-indicator')];
          return els.length > 0 && els.every((e) => e.getAttribute('phase') === 'ready') && inds.every((i) => i.getAttribute('status') === 'open');
        }, DATA_ELEMENTS),
      'every element ready and every indicator open',
      timeoutMs,
      100,
    );
  } catch (err) {
    // Say which element is stuck, and how: that is what a failing run needs to show.
    const state = await page
      .evaluate((sel) =>
        [...document.querySelectorAll(`${sel}, live-indicator`)].map(
          (e) => `<${e.localName}${e.getAttribute('key') ? ` key=${e.getAttribute('key')}` : ''}> phase=${e.getAttribute('phase')} status=${e.getAttribute('status')} text="${(e.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80)}"`,
        ),
      DATA_ELEMENTS)
      .catch((e: Error) => [`(page unreadable: ${e.message})`]);
    throw new Error(`${page.url()} did not go live within ${timeoutMs} ms:\n  ${state.join('\n  ')}`, { cause: err });
  }
  return page.evaluate((sel) => document.querySelectorAll(sel).length, DATA_ELEMENTS);
}

/** What one data element shows: its topic, key and `items` as plain JSON. */
export interface ShownData {
  tag: string;
  topic: string;
  key: string | null;
  items: Record<string, unknown>;
}

/** Reads every data element's `items` (the state it renders) from the page. */
export async function shownData(page: PageLike): Promise<ShownData[]> {
  return page.evaluate((sel) =>
    [...document.querySelectorAll(sel)].map((el) => {
      const items = (el as unknown as { items: ReadonlyMap<string, unknown> }).items;
      return {
        tag: el.localName,
        topic: el.getAttribute('topic') ?? '',
        key: el.getAttribute('key'),
        items: JSON.parse(JSON.stringify(Object.fromEntries(items ?? new Map()))) as Record<string, unknown>,
      };
    }),
  DATA_ELEMENTS);
}

/** The relay's current state for what an element selects (the whole topic, or one key of it). */
export async function relayState(relayUrl: string, topic: string, key: string | null): Promise<Record<string, unknown>> {
  const res = await fetch(`${relayUrl}/v1/topics/${encodeURIComponent(topic)}${key === null ? '' : `?keys=${encodeURIComponent(key)}`}`);
  if (!res.ok) throw new Error(`GET /v1/topics/${topic} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { items: Record<string, unknown> }).items;
}

/**
 * An init script that records every `status` attribute change of the page's live-indicators in
 * `window.__statuses` (as `index:status`), so a test can check the whole sequence afterwards.
 */
export function recordIndicatorStatuses(): void {
  const w = window as unknown as { __statuses: string[] };
  w.__statuses = [];
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target as Element;
      if (el.localName !== 'live-indicator') continue;
      const index = ([...document.querySelectorAll('live-indicator')] as Element[]).indexOf(el);
      w.__statuses.push(`${index}:${el.getAttribute('status')}`);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['status'] });
}

/** The text an element renders in its shadow root (what a visitor reads), or '' when absent. */
export async function shadowText(page: PageLike, selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    // A widget off screen keeps its data but renders it only once seen, as a visitor would scroll
    // to it: bring it into view, and read what it shows (the next poll sees the catch-up render).
    el?.scrollIntoView({ block: 'nearest' });
    return el?.shadowRoot?.textContent?.replace(/\s+/g, ' ') ?? '';
  }, selector);
}
