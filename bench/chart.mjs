// Chart: Chromium's main-thread time per second (CDP Performance.getMetrics TaskDuration) for a
// page with <live-price-chart> over a 50,000-point history receiving 20 live updates a second,
// beside the same page without the chart (the idle baseline).
import { existsSync } from 'node:fs';
import { launchChromium } from '../test/helpers/chromium.mjs';
import { publishOrThrow } from '../test/helpers/publish.mjs';
import { kitMissing, mainThreadCost, median, servePages } from './browser.mjs';
import { root, startServer } from './processes.mjs';

const POINTS = 50_000;
const UPDATES_PER_SECOND = 20;
/** Five windows of 2 s each; the median window is reported (one busy second elsewhere on the machine skews one window). */
const WINDOWS = 5;
const WINDOW_MS = 2000;

const page = (relay, body) => `<!doctype html><meta charset="utf-8"><title>chart bench</title>
<script type="module" src="${relay}/live-elements.js" data-relay="${relay}"></script>
<body style="margin:0;width:1000px">${body}</body>`;

/** Runs the chart section; returns {skipped} when the chart or the built kit is missing. */
export async function chart({ log }) {
  const missing = kitMissing(root) ?? (existsSync(`${root}src/elements/live-price-chart`) ? null : 'src/elements/live-price-chart has not landed');
  if (missing) return { skipped: missing };
  const pages = {};
  const server = await servePages(pages);
  const relay2 = await startServer('relay-memory', { CORS_ORIGINS: server.origin });
  pages['/idle.html'] = page(relay2.url, '<p>no chart</p>');
  pages['/chart.html'] = page(relay2.url, `<live-price-chart topic="prices" key="4151" period="24h" fields="high,low"></live-price-chart>`);
  const browser = await launchChromium();
  try {
    // The relay answers a series at its period's step (24h: one point per 5 minutes, at most 288),
    // so no history it serves holds 50,000 points. The chart loads its (short) history and streams
    // from the relay as always; then the page hands it a 50,000-point history over the last 23 h
    // (the chart's `history` property, as a page with its own history would), and the live
    // updates keep coming through the relay's stream.
    const nowS = Math.floor(Date.now() / 1000);
    await publishOrThrow(relay2.url, { topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: 2_801_000, low: 2_800_000, ts: nowS - 60 } });
    const rows = [];
    for (const [label, path, updates] of [['idle page, kit loaded', '/idle.html', false], [`<live-price-chart>, ${POINTS.toLocaleString('en')} points, ${UPDATES_PER_SECOND} updates/s`, '/chart.html', true]]) {
      const ctx = await browser.newContext({ viewport: { width: 1000, height: 600 } });
      const tab = await ctx.newPage();
      const errors = [];
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(server.origin + path, { waitUntil: 'load' });
      if (updates) {
        await tab.waitForFunction(() => ['ready', 'error'].includes(document.querySelector('live-price-chart')?.getAttribute('phase') ?? ''), null, { timeout: 30_000 });
        const phase = await tab.evaluate(() => document.querySelector('live-price-chart').getAttribute('phase'));
        if (phase !== 'ready') throw new Error(`the chart is in phase ${phase}: ${await tab.evaluate(() => document.querySelector('live-price-chart').shadowRoot?.textContent)}`);
        const count = await tab.evaluate((points) => {
          const el = document.querySelector('live-price-chart');
          const nowMs = Date.now();
          const spanMs = 23 * 3600_000; // every point inside the 24 h window
          const t = [];
          const high = [];
          const low = [];
          for (let j = 0; j < points; j++) {
            const p = 2_800_000 + Math.round(Math.sin(j / 300) * 50_000);
            t.push(Math.floor(nowMs - spanMs + (j * spanMs) / points));
            high.push(p + 1000);
            low.push(p);
          }
          el.history = { ...el.history, sampled: false, stepMs: undefined, t, series: { high, low } };
          return el.pointCount;
        }, POINTS);
        if (count !== POINTS) throw new Error(`the chart holds ${count} points, not the ${POINTS} it was given: it measures another chart than it says`);
      }
      await tab.waitForTimeout(1000);
      const cdp = await ctx.newCDPSession(tab);
      await cdp.send('Performance.enable');
      let stop = false;
      let sent = 0;
      const feeding = (async () => {
        const started = Date.now();
        while (updates && !stop) {
          const p = 2_800_000 + Math.round(Math.random() * 100_000);
          await publishOrThrow(relay2.url, { topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: p + 1000, low: p, ts: Math.floor(Date.now() / 1000) } });
          sent++;
          const wait = started + (sent / UPDATES_PER_SECOND) * 1000 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      })();
      const windows = [];
      for (let w = 0; w < WINDOWS; w++) windows.push(await mainThreadCost(cdp, WINDOW_MS));
      stop = true;
      await feeding;
      if (errors.length) throw new Error(`${path}: page errors: ${errors.join('; ')}`);
      const row = { label, msPerSecond: median(windows.map((w) => w.task)), cpuMsPerSecond: median(windows.map((w) => w.cpu)), updatesSent: sent };
      rows.push(row);
      log(`  ${label}: ${row.msPerSecond.toFixed(1)} ms of main-thread task time per second (CPU ${row.cpuMsPerSecond.toFixed(1)} ms/s; median of ${WINDOWS} windows of ${WINDOW_MS / 1000} s)${updates ? ` (${sent} updates sent)` : ''}`);
      await ctx.close();
    }
    return { points: POINTS, updatesPerSecond: UPDATES_PER_SECOND, rows };
  } finally {
    await browser.close();
    await relay2.stop();
    await server.close();
  }
}
