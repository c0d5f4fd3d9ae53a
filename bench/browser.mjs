// What the browser sections share: whether Chromium is there, a tiny page server (the pages load
// the kit from the relay, as a CMS page would) and the main-thread cost of a page. Chromium itself
// is launched by test/helpers/chromium.mjs (playwright-core, the system binary: nothing is downloaded).
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { CHROME_PATH } from '../test/helpers/chromium.mjs';

/** The Chromium binary: CHROME_PATH, else Debian's. */
export function chromiumPath() {
  return existsSync(CHROME_PATH) ? CHROME_PATH : null;
}

/** Serves `pages` ({path: html}) on 127.0.0.1; resolves with {origin, close()}. */
export async function servePages(pages) {
  const server = createServer((req, res) => {
    const html = pages[new URL(req.url, 'http://x').pathname];
    if (html === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Why the kit cannot be measured on this branch yet, or null when it can. */
export function kitMissing(root) {
  if (!existsSync(`${root}server/routes/kit.ts`)) return 'the relay does not serve the kit yet (server/routes/kit.ts has not landed)';
  if (!existsSync(`${root}dist/live-elements.js`)) return 'dist/live-elements.js is missing: run `npm run build` (or the bundle section, which builds)';
  if (!chromiumPath()) return 'no Chromium at /usr/lib/chromium/chromium; set CHROME_PATH';
  return null;
}

/**
 * A page's main-thread cost over `ms` of wall time, per second: `task` is Chromium's TaskDuration
 * (wall time inside main-thread tasks, what the goals are written in: it also grows when
 * other processes hold the CPU), `cpu` its ThreadTime (the main thread's CPU time, steadier on a
 * shared machine). `cdp` is a CDP session on the page with `Performance.enable` sent.
 */
export async function mainThreadCost(cdp, ms) {
  const read = async () => {
    const m = (await cdp.send('Performance.getMetrics')).metrics;
    return { task: m.find((x) => x.name === 'TaskDuration').value, cpu: m.find((x) => x.name === 'ThreadTime').value };
  };
  const a = await read();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = await read();
  const seconds = (performance.now() - w0) / 1000;
  return { task: ((b.task - a.task) * 1000) / seconds, cpu: ((b.cpu - a.cpu) * 1000) / seconds };
}

/** The median of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
