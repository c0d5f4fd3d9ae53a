// Chart: Chromium's main-thread time per second (CDP Performance.getMetrics TaskDuration) for a
// page with <live-price-chart> over a 50,000-point history receiving 20 live updates a second,
// beside the same page without the chart (the idle baseline).
import { existsSync } from 'node:fs';
import { kitMissing, launchChromium, publishTo, servePages } from './browser.mjs';
import { root, startServer } from './processes.mjs';

const POINTS = 50_000;
const UPDATES_PER_SECOND = 20;
const MEASURE_MS = 5000;

const page = (relay, body) => `<!doctype html><meta charset="utf-8"><title>chart bench</title>
<script type="module" src="${relay}/live-elements.js" data-relay="${relay}"></script>
<body style="margin:0;width:1000px">${body}</body>`;

/** Runs the chart section; returns {skipped} when the chart or the built kit is missing. */
export async function chart({ log }) {
  const missing = kitMissing(root) ?? (existsSync(`${root}src/elements/live-price-chart`) ? null : 'src/elements/live-price-chart has not landed');
  if (missing) return { skipped: missing };
  const pages = {};
  const server = await servePages(pages);
  const relay2 = await startServer('relay-memory', { CORS_ORIGINS: server.origin, SERIES_MAX_POINTS: String(POINTS * 2) });
  pages['/idle.html'] = page(relay2.url, '<p>no chart</p>');
  pages['/chart.html'] = page(relay2.url, '<live-price-chart topic="prices" key="4151" period="24h" fields="high,low"></live-price-chart>');
  const browser = await launchChromium();
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const step = (24 * 3600) / POINTS;
    for (let i = 0; i < POINTS; i += 1000) {
      const batch = [];
      for (let j = i; j < i + 1000; j++) {
        const p = 2_800_000 + Math.round(Math.sin(j / 300) * 50_000);
        batch.push({ topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: p + 1000, low: p, ts: Math.floor(nowS - 24 * 3600 + j * step) } });
      }
      await publishTo(relay2.url, batch);
    }
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
      }
      await tab.waitForTimeout(1000);
      const cdp = await ctx.newCDPSession(tab);
      await cdp.send('Performance.enable');
      const task = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
      let stop = false;
      let sent = 0;
      const feeding = (async () => {
        const started = Date.now();
        while (updates && !stop) {
          const p = 2_800_000 + Math.round(Math.random() * 100_000);
          await publishTo(relay2.url, { topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: p + 1000, low: p, ts: Math.floor(Date.now() / 1000) } });
          sent++;
          const wait = started + (sent / UPDATES_PER_SECOND) * 1000 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      })();
      const t0 = await task();
      const w0 = Date.now();
      await tab.waitForTimeout(MEASURE_MS);
      const t1 = await task();
      const seconds = (Date.now() - w0) / 1000;
      stop = true;
      await feeding;
      if (errors.length) throw new Error(`${path}: page errors: ${errors.join('; ')}`);
      const row = { label, msPerSecond: ((t1 - t0) * 1000) / seconds, updatesSent: sent };
      rows.push(row);
      log(`  ${label}: ${row.msPerSecond.toFixed(1)} ms of main-thread time per second${updates ? ` (${sent} updates sent)` : ''}`);
      await ctx.close();
    }
    return { points: POINTS, updatesPerSecond: UPDATES_PER_SECOND, rows };
  } finally {
    await browser.close();
    await relay2.stop();
    await server.close();
  }
}
