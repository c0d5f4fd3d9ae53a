// Host page: what the kit costs the pages that embed it, on the demo's two pages (the dashboard
// `/` and the plain CMS page `/cms.html`), both served by a relay whose simulator feeds them.
// - Lighthouse 12 (mobile and desktop, the median of several runs): performance score, CLS, TBT,
//   LCP, the kit's bytes and the kit's long tasks, and the accessibility score (the worst run, and the
//   audits that failed; the light scheme: the dark one is test/e2e/host-page-a11y.test.ts);
// - steady state: main-thread ms per second (CDP TaskDuration, and the main thread's CPU time)
//   with the page visible and hidden;
// - heap over a soak with the simulator sped up (an hour of the dashboard in a minute), after GC;
// - time to first data: from the kit's start to every element's phase=ready, on loopback and
//   through a proxy that adds 50 ms of round-trip latency; and on loopback, in traced loads, what
//   the page's main thread did in that window (its tasks' wall time and its CPU time).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/chromium.mjs';
import { chromiumPath, kitMissing, mainThreadCost, median } from './browser.mjs';
import { root, startServer, untilQuiet } from './processes.mjs';

const PAGES = ['/cms.html', '/'];
/** A kit file, by URL: the loader, its chunks and the worker. */
const KIT_FILE = /\/(live-elements[^/]*\.js|connection-worker[^/]*\.js|chunks\/[^/]+\.js)(\?|$)/;

/** Runs the host-page section; returns {skipped} when the kit or Chromium is missing. */
export async function hostPage({ log, lighthouseRuns = 3, soakSeconds = 60, soakSpeed = 60, firstDataOnly = false, firstDataRuns = 3 }) {
  const missing = kitMissing(root);
  if (missing) return { skipped: missing };
  const result = { lighthouse: [], steady: [], firstData: [], soak: null };
  const relay = await startServer('relay-simulated', { SIM_SPEED: '1', DEMO: '1' });
  try {
    // The simulator backfills its history and publishes every feed's first state at start.
    await new Promise((r) => setTimeout(r, 2000));
    for (const page of lighthouseRuns > 0 ? PAGES : []) {
      for (const profile of ['mobile', 'desktop']) {
        const row = await lighthouse(`${relay.url}${page}`, profile, lighthouseRuns);
        result.lighthouse.push({ page, profile, ...row });
        log(`  lighthouse ${page} ${profile}: performance ${row.performance}, accessibility ${row.accessibility}${row.a11yFailed.length ? ` (failed: ${row.a11yFailed.join(', ')})` : ''}, CLS ${row.cls.toFixed(3)}, TBT ${Math.round(row.tbt)} ms, LCP ${Math.round(row.lcp)} ms, kit ${(row.kitBytes / 1024).toFixed(1)} kB, kit long tasks > 50 ms: ${row.kitLongTasks.length ? row.kitLongTasks.map((t) => `${Math.round(t.duration)} ms (${t.file})`).join(', ') : 'none'} (median of ${lighthouseRuns})`);
      }
    }
    const browser = await launchChromium();
    try {
      for (const page of firstDataOnly ? [] : PAGES) {
        const row = await steadyState(browser, `${relay.url}${page}`);
        result.steady.push({ page, ...row });
        log(`  steady ${page}: visible ${row.visible.task.toFixed(1)} ms/s (CPU ${row.visible.cpu.toFixed(1)}), hidden ${row.hidden.task.toFixed(1)} ms/s (CPU ${row.hidden.cpu.toFixed(1)})`);
      }
      for (const page of PAGES) {
        for (const latencyMs of [0, 50]) {
          const row = await firstData(browser, relay.url, page, latencyMs, firstDataRuns);
          const entry = { page, latencyMs, ...row };
          result.firstData.push(entry);
          log(`  first data ${page}${latencyMs ? ` +${latencyMs} ms RTT` : ' loopback'}: ${Math.round(row.ms)} ms from the kit's start to every element's first data (median of ${row.runs.length}: ${row.runs.map(Math.round).join(', ')}; load ${loadAverage()})`);
          const parts = Object.entries(row.parts).map(([what, ms]) => `${what} ${Math.round(ms)}`);
          log(`    medians, ms after the kit's start: ${parts.join(', ')}`);
          if (latencyMs) continue;
          const main = await mainThreadInFirstData(browser, relay.url + page, firstDataRuns);
          entry.mainThread = main;
          log(`    the page's main thread in that window (traced, median of ${main.runs.length}): ${Math.round(main.taskMs)} ms in tasks of a ${Math.round(main.windowMs)} ms window, ${Math.round(main.cpuMs)} ms of them on a CPU`);
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    await relay.stop();
  }
  if (!firstDataOnly) result.soak = await soak({ log, seconds: soakSeconds, speed: soakSpeed });
  return result;
}

/** The 1-minute load average, which the figures on a shared machine go with. */
function loadAverage() {
  return loadavg()[0].toFixed(2);
}

/** Lighthouse on `url`, `runs` times; the median of each figure. */
async function lighthouse(url, profile, runs) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await lighthouseOnce(url, profile));
  const med = (f) => median(all.map(f));
  // The run with the median TBT gives the long tasks shown beside it.
  const byTbt = [...all].sort((a, b) => a.tbt - b.tbt)[all.length >> 1];
  return {
    performance: med((r) => r.performance),
    // The worst run: one failed audit is one too many.
    accessibility: Math.min(...all.map((r) => r.accessibility)),
    a11yFailed: [...new Set(all.flatMap((r) => r.a11yFailed))],
    cls: med((r) => r.cls),
    tbt: med((r) => r.tbt),
    lcp: med((r) => r.lcp),
    kitBytes: med((r) => r.kitBytes),
    kitLongTasks: byTbt.kitLongTasks,
    maxKitLongTask: med((r) => Math.max(0, ...r.kitLongTasks.map((t) => t.duration))),
    runs: all.map(({ performance, cls, tbt, lcp }) => ({ performance, cls, tbt, lcp })),
  };
}

async function lighthouseOnce(url, profile) {
  const dir = mkdtempSync(join(tmpdir(), 'lh-'));
  const out = join(dir, 'report.json');
  try {
    const args = [
      join(root, 'node_modules/lighthouse/cli/index.js'),
      url,
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu',
      '--only-categories=performance,accessibility',
      '--output=json',
      `--output-path=${out}`,
      '--quiet',
      ...(profile === 'desktop' ? ['--preset=desktop'] : []),
    ];
    await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { env: { ...process.env, CHROME_PATH: chromiumPath() }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (b) => (err += b));
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lighthouse ${url} exited ${code}: ${err.slice(-500)}`))));
    });
    const lhr = JSON.parse(readFileSync(out, 'utf8'));
    const requests = lhr.audits['network-requests']?.details?.items ?? [];
    const longTasks = lhr.audits['long-tasks']?.details?.items ?? [];
    return {
      performance: Math.round(lhr.categories.performance.score * 100),
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      // The accessibility audits that failed (axe-core's rules, as Lighthouse runs them).
      a11yFailed: lhr.categories.accessibility.auditRefs.map((r) => lhr.audits[r.id]).filter((a) => a.score === 0).map((a) => a.id),
      cls: lhr.audits['cumulative-layout-shift'].numericValue,
      tbt: lhr.audits['total-blocking-time'].numericValue,
      lcp: lhr.audits['largest-contentful-paint'].numericValue,
      kitBytes: requests.filter((r) => KIT_FILE.test(r.url)).reduce((sum, r) => sum + (r.transferSize ?? 0), 0),
      kitLongTasks: longTasks.filter((t) => KIT_FILE.test(t.url ?? '') && t.duration > 50).map((t) => ({ file: t.url.replace(/^.*\//, ''), duration: t.duration })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The kit's elements that reflect a `phase`. */
const PHASED = 'live-price-chart, league-standings, rss-feed, service-status, live-ticker, live-value';

/**
 * Waits until every element of the kit that has a phase is ready (at least `min` of them). By tag,
 * not by `[phase]`: an element whose chunk or first render is still to come has no phase yet.
 */
export async function allReady(tab, min = 1) {
  await tab.waitForFunction(([n, tags]) => {
    const els = [...document.querySelectorAll(tags)];
    return els.length >= n && els.every((e) => e.getAttribute('phase') === 'ready');
  }, [min, PHASED], { timeout: 30_000 });
}

/**
 * Tells the page in `tab` it is hidden, as a tab switch would: headless Chromium keeps every tab
 * visible (another tab in front, a minimized window: still `visible`). Chromium itself still runs
 * its frames, which a really hidden tab would not: what is measured then is an upper bound.
 */
export const tellHidden = (tab) =>
  tab.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });

/** Main-thread cost per second, visible then hidden: the median of five 2 s windows each. */
async function steadyState(browser, url) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await ctx.newPage();
    await tab.goto(url, { waitUntil: 'load' });
    await allReady(tab);
    // Settled: the first draws done and the indicator's pulse (three beats when the stream opens) over.
    await tab.waitForTimeout(8000);
    const cdp = await ctx.newCDPSession(tab);
    await cdp.send('Performance.enable');
    const measure = async () => {
      const windows = [];
      for (let i = 0; i < 5; i++) windows.push(await mainThreadCost(cdp, 2000));
      return { task: median(windows.map((w) => w.task)), cpu: median(windows.map((w) => w.cpu)) };
    };
    const visible = await measure();
    await tellHidden(tab);
    await tab.waitForTimeout(1000);
    const hidden = await measure();
    return { visible, hidden };
  } finally {
    await ctx.close();
  }
}

/**
 * A TCP proxy to `port` that holds every chunk for half of `rttMs` in each direction, so each
 * round trip through it takes `rttMs` longer (the page and the relay both behind it).
 */
export async function delayingProxy(port, rttMs) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    // Timers of one duration fire in the order set: the bytes keep their order.
    client.on('data', (b) => setTimeout(() => upstream.destroyed || upstream.write(b), rttMs / 2));
    upstream.on('data', (b) => setTimeout(() => client.destroyed || client.write(b), rttMs / 2));
    client.on('end', () => setTimeout(() => upstream.end(), rttMs / 2));
    upstream.on('end', () => setTimeout(() => client.end(), rttMs / 2));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

/**
 * Time to first data: from the kit's start (its loader running, when it asks for the kit chunk)
 * to the last element's phase=ready, in a fresh browser
 * context (nothing cached), `runs` times; the median. `parts` says where the time goes (medians,
 * ms after the kit's start): the kit chunk's arrival, and each element kind's last first data.
 */
async function firstData(browser, relayUrl, page, latencyMs, runs = 3) {
  const proxy = latencyMs ? await delayingProxy(Number(new URL(relayUrl).port), latencyMs) : null;
  const origin = proxy?.url ?? relayUrl;
  const totals = [];
  const parts = [];
  try {
    for (let i = 0; i < runs; i++) {
      const run = await firstDataOnce(browser, origin + page);
      totals.push(run.ms);
      parts.push(run.parts);
    }
  } finally {
    await proxy?.close();
  }
  const names = [...new Set(parts.flatMap((p) => Object.keys(p)))];
  return { ms: median(totals), runs: totals, parts: Object.fromEntries(names.map((n) => [n, median(parts.map((p) => p[n] ?? 0))])) };
}

/**
 * An init script: notes when each element of the page first has phase=ready (`__readyAt`, element
 * → performance.now()), and marks it (`live-ready`, for a trace).
 */
function watchReady() {
  const ready = new Map();
  window.__readyAt = ready;
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.getAttribute('phase') !== 'ready' || ready.has(r.target)) continue;
      ready.set(r.target, performance.now());
      performance.mark('live-ready');
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['phase'] });
}

/**
 * One load of `url` in a fresh browser context (nothing cached), once Chromium is quiet after
 * opening it: ms from the kit's start to the last element's phase=ready, and `parts` (the kit
 * chunk's arrival and each element kind's last first data, ms after the kit's start). With
 * `tracePath`, the load is traced with Chromium's light `toplevel` tracing into that file.
 */
export async function firstDataOnce(browser, url, tracePath = null) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await ctx.newPage();
    await untilQuiet();
    await tab.addInitScript(watchReady);
    if (tracePath) await browser.startTracing(tab, { path: tracePath, categories: ['devtools.timeline', 'toplevel', 'blink.user_timing'] });
    await tab.goto(url, { waitUntil: 'load' });
    await allReady(tab);
    if (tracePath) await browser.stopTracing();
    return await tab.evaluate(() => {
      const resources = performance.getEntriesByType('resource');
      const loader = resources.find((e) => /\/live-elements\.js/.test(e.name));
      const kit = resources.find((e) => /\/chunks\/kit-[^/]*\.js/.test(e.name));
      const nav = performance.getEntriesByType('navigation')[0];
      // The kit's start: the loader running, which asks for the kit chunk first thing. (A deferred
      // script runs after domInteractive and its download, and after the stylesheets and deferred
      // scripts before it: 4-10 ms after the later of the two here.)
      const start = kit?.startTime ?? Math.max(loader?.responseEnd ?? 0, nav.domInteractive);
      const parts = { 'kit chunk in': (kit?.responseEnd ?? start) - start };
      for (const [el, at] of window.__readyAt) {
        const what = el.localName;
        parts[what] = Math.max(parts[what] ?? 0, at - start);
      }
      return { ms: Math.max(...window.__readyAt.values()) - start, parts };
    });
  } finally {
    await ctx.close();
  }
}

/**
 * What the page's main thread does from the kit's start to the last element's first data, in
 * `runs` traced loads ({@link firstDataOnce} with a trace): the window (ms), the wall time of the main thread's tasks in it, and their CPU time (the
 * trace's thread time). Tasks that fill the window but run on a CPU for a fraction of it are a
 * main thread waiting for a core; medians. The kit's start is its chunk's request, as in
 * firstDataOnce; each element's first data is a `live-ready` user-timing mark.
 */
async function mainThreadInFirstData(browser, url, runs) {
  const dir = mkdtempSync(join(tmpdir(), 'first-data-trace-'));
  const all = [];
  try {
    for (let i = 0; i < runs; i++) {
      const path = join(dir, `trace-${i}.json`);
      await firstDataOnce(browser, url, path);
      all.push(mainThreadOf(JSON.parse(readFileSync(path, 'utf8')).traceEvents));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (k) => median(all.map((r) => r[k]));
  return { windowMs: med('windowMs'), taskMs: med('taskMs'), cpuMs: med('cpuMs'), runs: all };
}

/** From one trace: the window from the kit chunk's request to the last `live-ready` mark, and the requesting thread's tasks in it. */
function mainThreadOf(events) {
  const kit = events.find((e) => e.name === 'ResourceSendRequest' && /\/chunks\/kit-[^/]*\.js/.test(e.args.data.url));
  const marks = events.filter((e) => e.name === 'live-ready');
  if (!kit || !marks.length) throw new Error('first-data trace: no request for the kit chunk or no element became ready');
  const from = kit.ts;
  const to = Math.max(...marks.map((m) => m.ts));
  let taskUs = 0;
  let cpuUs = 0;
  let end = -Infinity;
  const tasks = events.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && e.pid === kit.pid && e.tid === kit.tid).sort((a, b) => a.ts - b.ts);
  for (const e of tasks) {
    // Top-level tasks only (a nested run loop's tasks are inside one), each counted for the part
    // of it inside the window, its CPU time in proportion.
    if (e.ts < end) continue;
    end = e.ts + e.dur;
    const overlap = Math.min(e.ts + e.dur, to) - Math.max(e.ts, from);
    if (overlap <= 0 || !e.dur) continue;
    taskUs += overlap;
    cpuUs += ((e.tdur ?? 0) * overlap) / e.dur;
  }
  return { windowMs: (to - from) / 1000, taskMs: taskUs / 1000, cpuMs: cpuUs / 1000 };
}

/**
 * The dashboard through an hour of the simulator sped up `speed` times (`seconds` of wall time),
 * after its bounded lists have filled: the JS heap after a forced GC at the start and at the end,
 * and the change between them.
 */
async function soak({ log, seconds, speed }) {
  const relay = await startServer('relay-simulated', { SIM_SPEED: String(speed), DEMO: '1' });
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await ctx.newPage();
    await tab.goto(`${relay.url}/`, { waitUntil: 'load' });
    await allReady(tab);
    const cdp = await ctx.newCDPSession(tab);
    await cdp.send('HeapProfiler.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    // Warm up first: the bounded buffers (live points, lists) fill to their limits. The demo's
    // headlines take the longest: its RSS list grows to LIST_LIMIT (200, src/core/wire-rules.ts)
    // items in about an hour of the simulator, and until then the heap grows with it, by design.
    await tab.waitForTimeout(Math.min(20_000, (seconds * 1000) / 3));
    const headlines = async () => (await (await fetch(`${relay.url}/v1/topics/rss`)).json()).items?.demo?.length ?? 0;
    for (const until = Date.now() + 180_000; (await headlines()) < 200 && Date.now() < until; ) await tab.waitForTimeout(2000);
    const samples = [await heap()];
    const step = (seconds * 1000) / 6;
    for (let i = 0; i < 6; i++) {
      await tab.waitForTimeout(step);
      samples.push(await heap());
    }
    const change = samples[samples.length - 1] / samples[0] - 1;
    const row = { seconds, speed, simulatedMinutes: (seconds * speed) / 60, samples, change };
    log(`  soak: ${Math.round(row.simulatedMinutes)} simulated minutes of the dashboard: heap after GC ${samples.map((b) => `${(b / 2 ** 20).toFixed(1)}`).join(' → ')} MB (${(change * 100).toFixed(1)}%)`);
    return row;
  } finally {
    await browser.close();
    await relay.stop();
  }
}
