// Browser connections: the streams the relay sees for 3 tabs of a page with 6 widgets, with the kit
// (goal: 1, shared by every widget and tab) beside the naive baseline of one EventSource per widget.
import { launchChromium } from '../test/helpers/chromium.mjs';
import { metricTotal } from '../test/helpers/metrics.mjs';
import { kitMissing, servePages } from './browser.mjs';
import { root, startServer } from './processes.mjs';

const TABS = 3;
const WIDGETS = [
  '<live-price-chart topic="prices" key="4151"></live-price-chart>',
  '<league-standings topic="leagues" key="premier"></league-standings>',
  '<service-status topic="services"></service-status>',
  '<rss-feed topic="rss" key="news"></rss-feed>',
  '<service-status topic="services" key="api"></service-status>',
  '<live-indicator></live-indicator>',
];
const NAIVE_TOPICS = ['prices/4151', 'leagues/premier', 'services', 'rss/news', 'services/api', 'prices'];

async function liveStreams(url) {
  return (await metricTotal(url, 'live_sse_clients')) ?? NaN;
}

/** Waits until the relay's stream count holds still for a second (connections settle). */
async function settledStreams(url) {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const n = await liveStreams(url);
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 1500 && n > 0) return n;
    if (Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the section; returns {skipped} when the kit is not built or served yet. */
export async function browserConnections({ log }) {
  const missing = kitMissing(root);
  if (missing) return { skipped: missing };
  const pages = {};
  const server = await servePages(pages);
  const relay = await startServer('relay-memory', { CORS_ORIGINS: server.origin, MAX_CLIENTS_PER_IDENTITY: '1000' });
  pages['/kit.html'] = `<!doctype html><meta charset="utf-8"><script type="module" src="${relay.url}/live-elements.js" data-relay="${relay.url}"></script><body>${WIDGETS.join('\n')}</body>`;
  pages['/naive.html'] = `<!doctype html><meta charset="utf-8"><body><script>
    for (const t of ${JSON.stringify(NAIVE_TOPICS)}) new EventSource(${JSON.stringify(relay.url)} + '/v1/events?topics=' + t);
  </script></body>`;
  const browser = await launchChromium();
  const rows = [];
  try {
    for (const [label, path] of [[`live-elements kit: ${TABS} tabs x ${WIDGETS.length} widgets`, '/kit.html'], [`one EventSource per widget: ${TABS} tabs x ${WIDGETS.length}`, '/naive.html']]) {
      // One context = one browser profile: tabs of one site share workers, locks and channels.
      const ctx = await browser.newContext();
      for (let i = 0; i < TABS; i++) await (await ctx.newPage()).goto(server.origin + path, { waitUntil: 'load' });
      const streams = await settledStreams(relay.url);
      rows.push({ label, streams });
      log(`  ${label}: ${streams} stream(s) at the relay`);
      await ctx.close();
      const deadline = Date.now() + 10_000;
      while ((await liveStreams(relay.url)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    return { tabs: TABS, widgets: WIDGETS.length, rows };
  } finally {
    await browser.close();
    await relay.stop();
    await server.close();
  }
}
