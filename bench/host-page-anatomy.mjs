// Where the host page's costs go: the diagnostics behind the "why the misses" of the README's
// "Cost to your page" (the figures themselves are the bench's host-page section).
//
//   node bench/host-page-anatomy.mjs steady [page] [rounds]   main thread per second of the page as it
//        is, under prefers-reduced-motion, with the flashes switched off, with only its tickers
//        (scrolling, then paused) and with none of the kit's elements; variants alternate,
//        `rounds` times (default 2)
//   node bench/host-page-anatomy.mjs first-data [page]        one load traced: when the loader, the kit
//        chunk, the SharedWorker's script and the stream requests go out, and when each element is
//        ready (ms after navigation)
//   node bench/host-page-anatomy.mjs intl                     the first Intl.NumberFormat of a fresh page
//
// A relay with the simulator serves the demo pages (`npm run build` first), as in the bench.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/chromium.mjs';
import { kitMissing } from './browser.mjs';
import { root, startServer } from './processes.mjs';

const TAGS = ['live-indicator', 'live-price-chart', 'league-standings', 'service-status', 'rss-feed', 'live-ticker', 'live-value'];

/** Adds `css` to every shadow root of the page. */
const injectCss = (tab, css) =>
  tab.evaluate((c) => {
    for (const el of document.querySelectorAll('*')) {
      if (!el.shadowRoot) continue;
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(c);
      el.shadowRoot.adoptedStyleSheets = [...el.shadowRoot.adoptedStyleSheets, sheet];
    }
  }, css);
/** Removes every element of the kit but `keep`. */
const keepOnly = (tab, keep) => tab.evaluate(([tags, k]) => tags.filter((t) => t !== k).forEach((t) => document.querySelectorAll(t).forEach((e) => e.remove())), [TAGS, keep]);

const ONLY = process.env.VARIANTS?.split('|');
const VARIANTS_ALL = {
  'as it is': async () => {},
  'prefers-reduced-motion': (tab) => tab.emulateMedia({ reducedMotion: 'reduce' }),
  'flashes off': (tab) => injectCss(tab, "[part$='-changed']::after, tr[part$='-changed'] > ::after { content: none !important; animation: none !important }"),
  'tickers only': (tab) => keepOnly(tab, 'live-ticker'),
  'none of the kit': (tab) => keepOnly(tab, null),
  'tickers only, paused': async (tab) => {
    await keepOnly(tab, 'live-ticker');
    await tab.evaluate(() => document.querySelectorAll('live-ticker').forEach((t) => (t.paused = true)));
  },
};

const VARIANTS = ONLY ? Object.fromEntries(Object.entries(VARIANTS_ALL).filter(([k]) => ONLY.includes(k))) : VARIANTS_ALL;

async function steady(url, rounds) {
  const browser = await launchChromium();
  try {
    console.log('variant                  task ms/s  CPU ms/s  script ms/s  style ms/s  style recalcs/s');
    for (let round = 0; round < rounds; round++) {
      for (const [name, apply] of Object.entries(VARIANTS)) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        try {
          const tab = await ctx.newPage();
          await tab.goto(url, { waitUntil: 'load' });
          await tab.waitForTimeout(7000);
          await apply(tab);
          await tab.waitForTimeout(1000);
          const cdp = await ctx.newCDPSession(tab);
          await cdp.send('Performance.enable');
          const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
          const a = await read();
          const t0 = performance.now();
          await tab.waitForTimeout(6000);
          const b = await read();
          const s = (performance.now() - t0) / 1000;
          const per = (k, scale = 1000) => (((b[k] - a[k]) * scale) / s).toFixed(1);
          console.log(`${name.padEnd(24)} ${per('TaskDuration').padStart(9)}  ${per('ThreadTime').padStart(8)}  ${per('ScriptDuration').padStart(11)}  ${per('RecalcStyleDuration').padStart(10)}  ${per('RecalcStyleCount', 1).padStart(15)}`);
        } finally {
          await ctx.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
}

async function firstData(url) {
  const browser = await launchChromium();
  const dir = mkdtempSync(join(tmpdir(), 'trace-'));
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await ctx.newPage();
    await tab.addInitScript(() => {
      const ready = [];
      window.__ready = ready;
      new MutationObserver((records) => {
        for (const r of records) if (r.target.getAttribute('phase') === 'ready') ready.push([r.target.localName, performance.now()]);
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['phase'] });
    });
    const path = join(dir, 'trace.json');
    await browser.startTracing(tab, { path, categories: ['devtools.timeline', 'loading', 'netlog'] });
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForTimeout(3000);
    await browser.stopTracing();
    const { traceEvents } = JSON.parse(readFileSync(path, 'utf8'));
    const sends = traceEvents.filter((e) => e.name === 'ResourceSendRequest');
    const threads = new Map(traceEvents.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
    const page = await tab.evaluate(() => ({ nav: performance.getEntriesByType('navigation')[0].requestStart, ready: window.__ready }));
    // The trace's clock: the page's own request is navigation's requestStart.
    const t0 = sends.find((e) => e.args.data.url.startsWith(url))?.ts ?? sends[0].ts;
    const at = (ts) => Math.round((ts - t0) / 1000 + page.nav);
    // When each request's answer started and ended (its first bytes; for a stream, its first frames).
    const byId = (name) => new Map(traceEvents.filter((e) => e.name === name).map((e) => [e.args.data.requestId, e.ts]));
    const answered = byId('ResourceReceiveResponse');
    const received = byId('ResourceReceivedData');
    const finished = byId('ResourceFinish');
    const when = (m, e) => (m.has(e.args.data.requestId) ? String(at(m.get(e.args.data.requestId))) : '-');
    console.log('ms after navigation: sent  answered  data  done  request (thread)');
    for (const e of sends)
      console.log(
        `${String(at(e.ts)).padStart(25)}  ${when(answered, e).padStart(8)}  ${when(received, e).padStart(4)}  ${when(finished, e).padStart(4)}  ${e.args.data.url.replace(/^https?:\/\/[^/]+/, '').slice(0, 70)} (${threads.get(`${e.pid}:${e.tid}`) ?? '?'})`,
      );
    const worker = [...threads].find(([, name]) => name === 'SharedWorker thread')?.[0];
    const workerStart = traceEvents.filter((e) => `${e.pid}:${e.tid}` === worker && e.ts > 0).reduce((m, e) => Math.min(m, e.ts), Infinity);
    if (worker) console.log(`${String(at(workerStart)).padStart(19)}  the SharedWorker's thread runs its first task`);
    console.log('ready, ms after navigation: ' + page.ready.map(([n, t]) => `${n} ${Math.round(t)}`).join(', '));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function intl() {
  const browser = await launchChromium();
  try {
    for (let i = 0; i < 3; i++) {
      const tab = await browser.newPage();
      await tab.goto('about:blank');
      const ms = await tab.evaluate(() => {
        const t = performance.now();
        new Intl.NumberFormat();
        const first = performance.now() - t;
        const u = performance.now();
        new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
        return [first, performance.now() - u];
      });
      console.log(`first Intl.NumberFormat of a fresh page: ${ms[0].toFixed(1)} ms; the next one: ${ms[1].toFixed(1)} ms`);
      await tab.close();
    }
  } finally {
    await browser.close();
  }
}

const [what = 'steady', pageArg, roundsArg] = process.argv.slice(2);
if (what === 'intl') {
  await intl();
} else {
  const missing = kitMissing(root);
  if (missing) throw new Error(missing);
  const relay = await startServer('relay-simulated', { SIM_SPEED: '1', DEMO: '1' });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    if (what === 'steady') await steady(relay.url + (pageArg ?? '/'), Number(roundsArg ?? 2));
    else if (what === 'first-data') await firstData(relay.url + (pageArg ?? '/cms.html'));
    else throw new Error(`unknown "${what}": use steady, first-data or intl`);
  } finally {
    await relay.stop();
  }
}
