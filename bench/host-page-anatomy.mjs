// Where the host page's costs go: the diagnostics behind the "why the misses" of the README's
// "Cost to your page" (the figures themselves are the bench's host-page section).
//
//   node bench/host-page-anatomy.mjs steady [page] [rounds]   main thread per second of the page as it
//        is, under prefers-reduced-motion, with the flashes switched off, with its tickers paused
//        or moving in 30 or 20 steps a second, without the progress bars' transition or the chart's
//        tip pulse, with CSS containment on the widgets, with only its tickers (scrolling, then
//        paused) and with none of the kit's elements; variants alternate,
//        `rounds` times (default 2); VARIANTS='as it is|none of the kit' runs only those named
//   node bench/host-page-anatomy.mjs first-data [page]        one load traced: when the loader, the kit
//        chunk, the SharedWorker's script and the stream requests go out, and when each element is
//        ready (ms after navigation)
//   node bench/host-page-anatomy.mjs timeline [page] [loads]  fresh loads, untraced: when the kit chunk
//        and the lazily loaded chunks are asked for and in, when each element is defined, when the
//        SharedWorker's global starts, when each of the stream owner's messages reaches the page and
//        each element's phase changes (ms after the kit's start)
//   node bench/host-page-anatomy.mjs intl                     the first Intl.NumberFormat of a fresh page
//   node bench/host-page-anatomy.mjs versus REF [page] [rounds]  main thread per second of the page,
//        visible and then told it is hidden, as built here and as built at git REF (a worktree, built), each served by its own relay,
//        alternating in the same minutes, `rounds` times (default 4): a change measured side by side
//   node bench/host-page-anatomy.mjs first-data-versus REF [page] [rounds] [rtt]  time to first data
//        as the bench measures it, as built here and as built at git REF, each served by its own
//        relay, alternating load by load, `rounds` times (default 10), on loopback or through the
//        bench's proxy adding `rtt` ms to every round trip
//   node bench/host-page-anatomy.mjs cpu [page] [loads]       fresh loads: the CPU each process used
//        from navigation to the last element's first data (Chromium's by process type, the relay),
//        read from /proc before and after
//   node bench/host-page-anatomy.mjs busy [page] [loads]      how much of the time to the last
//        element's first data the page's main thread is busy (task time by then), untraced
//
// A relay with the simulator serves the demo pages (`npm run build` first), as in the bench.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/chromium.mjs';
import { kitMissing, median } from './browser.mjs';
import { allReady, delayingProxy, firstDataOnce, tellHidden } from './host-page.mjs';
import { processes, root, startServer, untilQuiet } from './processes.mjs';

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

/** Makes every scrolling ticker move in `perSecond` steps a second rather than every frame. */
const tickerSteps = (tab, perSecond) =>
  tab.evaluate((n) => {
    for (const t of document.querySelectorAll('live-ticker')) {
      const track = t.shadowRoot.querySelector('.track');
      const seconds = parseFloat(getComputedStyle(track).animationDuration);
      track.style.animationTimingFunction = `steps(${Math.round(seconds * n)})`;
    }
  }, perSecond);

const ONLY = process.env.VARIANTS?.split('|');
const VARIANTS_ALL = {
  'as it is': async () => {},
  'prefers-reduced-motion': (tab) => tab.emulateMedia({ reducedMotion: 'reduce' }),
  'flashes off': (tab) => injectCss(tab, "[part$='-changed']::after, tr[part$='-changed'] > ::after { content: none !important; animation: none !important }"),
  'tickers paused': (tab) => tab.evaluate(() => document.querySelectorAll('live-ticker').forEach((t) => (t.paused = true))),
  'tickers in 30 steps/s': (tab) => tickerSteps(tab, 30),
  'tickers in 20 steps/s': (tab) => tickerSteps(tab, 20),
  'contained': (tab) => tab.addStyleTag({ content: 'live-price-chart, league-standings, service-status, rss-feed, live-ticker { contain: content }' }),
  'contained strictly': (tab) => tab.addStyleTag({ content: 'live-price-chart, league-standings, service-status, rss-feed, live-ticker { contain: strict }' }),
  'no progress transition': (tab) => injectCss(tab, '.progress > span { transition: none !important }'),
  'no chart tip pulse': (tab) => injectCss(tab, '.tip::before { animation: none !important }'),
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
    await untilQuiet();
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

/**
 * Fresh loads of `url`, untraced (so the times are the bench's, not a tracer's): a line per
 * moment, in ms after the kit's start (its chunk's request): each kit file asked for and in, each
 * element defined (customElements.define, and how long its upgrades took), the SharedWorker's
 * global starting (its timeOrigin, read over CDP), each message of the stream's owner as the page
 * takes it (the worker link's port), and each element's phase.
 */
async function timeline(url, loads) {
  await freshLoads(loads, async (tab, _ctx, i, browser) => {
    await tab.addInitScript(() => {
      const log = (window.__timeline = []);
      const port = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage');
      Object.defineProperty(MessagePort.prototype, 'onmessage', {
        get() {
          return port.get.call(this);
        },
        set(fn) {
          port.set.call(this, (e) => {
            const list = Array.isArray(e.data) ? e.data : [e.data];
            log.push([performance.now(), `message ${list.map((m) => (m.selector ? `${m.t} ${m.selector}${m.full ? ' (whole state)' : ''}` : m.t)).join(', ')}`]);
            fn(e);
          });
        },
      });
      const define = customElements.define.bind(customElements);
      customElements.define = (name, ctor, options) => {
        const t = performance.now();
        define(name, ctor, options);
        log.push([t, `define <${name}> (${(performance.now() - t).toFixed(1)} ms)`]);
      };
      new MutationObserver((records) => {
        for (const r of records) log.push([performance.now(), `<${r.target.localName}> phase=${r.target.getAttribute('phase')}`]);
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['phase'] });
    });
    await tab.goto(url, { waitUntil: 'load' });
    await allReady(tab);
    const page = await tab.evaluate(() => ({
      origin: performance.timeOrigin,
      log: window.__timeline,
      files: performance.getEntriesByType('resource').filter((e) => /\/(chunks\/[^/]+|live-elements[^/]*)\.js/.test(e.name)).map((e) => [e.startTime, e.responseEnd, e.name.replace(/^.*\//, '')]),
    }));
    const workerOrigin = await sharedWorkerOrigin(browser);
    const kitStart = page.files.find(([, , f]) => f.startsWith('kit-'))?.[0] ?? 0;
    const rows = [...page.log, ...page.files.flatMap(([a, b, f]) => [[a, `${f} asked for`], [b, `${f} in`]])];
    if (workerOrigin !== null) rows.push([workerOrigin - page.origin, "the SharedWorker's global starts"]);
    console.log(`load ${i + 1}:`);
    for (const [t, what] of rows.sort((a, b) => a[0] - b[0])) console.log(`${String(Math.round(t - kitStart)).padStart(6)}  ${what}`);
  });
}

/** The timeOrigin of the browser's newest SharedWorker (ms since the epoch), or null when there is none. */
async function sharedWorkerOrigin(browser) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const worker = targetInfos.filter((t) => t.type === 'shared_worker').at(-1);
    if (!worker) return null;
    // Playwright's sessions cannot address a child session: the message goes through the target.
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
    return await new Promise((resolve) => {
      cdp.on('Target.receivedMessageFromTarget', (e) => {
        const m = JSON.parse(e.message);
        if (m.id === 1) resolve(m.result?.result?.value ?? null);
      });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'performance.timeOrigin', returnByValue: true } }) });
    });
  } finally {
    await cdp.detach();
  }
}

/**
 * Main-thread task time per second of one visit to `url`: visible (a 4 s window, 4.5 s after
 * load), then told it is hidden as the bench tells it (another 4 s window, 1 s later).
 */
async function visitCost(browser, url) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await ctx.newPage();
    await tab.goto(url, { waitUntil: 'load' });
    await tab.waitForTimeout(4500);
    const cdp = await ctx.newCDPSession(tab);
    await cdp.send('Performance.enable');
    const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const window = async () => {
      const a = await read();
      await tab.waitForTimeout(4000);
      return (((await read()).TaskDuration - a.TaskDuration) * 1000) / 4;
    };
    const visible = await window();
    await tellHidden(tab);
    await tab.waitForTimeout(1000);
    return { visible, hidden: await window() };
  } finally {
    await ctx.close();
  }
}

/**
 * Measures `page` as built here and as built at git REF (in a git worktree, removed after), each
 * served by its own relay with the simulator, alternating in one browser `rounds` times:
 * `measure(browser, url)` per visit, `log(round, here, there)` after each round; resolves with
 * both lists of results.
 */
async function alternate(ref, page, rounds, measure, log) {
  const tree = mkdtempSync(join(tmpdir(), 'versus-'));
  execFileSync('git', ['worktree', 'add', '--detach', tree, ref], { cwd: root, stdio: 'ignore' });
  const relays = [];
  try {
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
    // The build fails over its budgets after writing dist/: what it wrote is what REF serves.
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', '--no-types', '--no-analyze', '--no-relay'], { cwd: tree, stdio: 'ignore' });
    } catch {}
    relays.push(await startServer('relay-simulated', { SIM_SPEED: '1', DEMO: '1' }));
    relays.push(await startServer('relay-simulated', { SIM_SPEED: '1', DEMO: '1' }, { cwd: tree }));
    await new Promise((r) => setTimeout(r, 5000));
    const browser = await launchChromium();
    const here = [];
    const there = [];
    try {
      for (let i = 0; i < rounds; i++) {
        here.push(await measure(browser, relays[0].url + page));
        there.push(await measure(browser, relays[1].url + page));
        log(i + 1, here.at(-1), there.at(-1));
      }
    } finally {
      await browser.close();
    }
    return { here, there };
  } finally {
    for (const r of relays) await r.stop();
    execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
  }
}

async function firstDataVersus(ref, page, rounds, rttMs) {
  const proxies = new Map();
  const ms = async (browser, url) => {
    const origin = new URL(url).origin;
    if (rttMs && !proxies.has(origin)) proxies.set(origin, await delayingProxy(Number(new URL(url).port), rttMs));
    return (await firstDataOnce(browser, rttMs ? proxies.get(origin).url + page : url)).ms;
  };
  try {
    const { here, there } = await alternate(ref, page, rounds, ms, (i, h, t) => console.log(`round ${i}: this build ${Math.round(h)} ms, ${ref} ${Math.round(t)} ms`));
    const span = (xs) => `${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
    console.log(`first data ${page}${rttMs ? ` +${rttMs} ms RTT` : ' loopback'}, median (range): this build ${span(here)}; ${ref} ${span(there)}`);
  } finally {
    for (const p of proxies.values()) await p.close();
  }
}

async function versus(ref, page, rounds) {
  const { here, there } = await alternate(ref, page, rounds, visitCost, (i, h, t) =>
    console.log(`round ${i}: this build ${h.visible.toFixed(1)} visible, ${h.hidden.toFixed(1)} hidden; ${ref} ${t.visible.toFixed(1)} visible, ${t.hidden.toFixed(1)} hidden (ms/s)`),
  );
  const span = (runs, k) => {
    const xs = runs.map((r) => r[k]);
    return `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  };
  console.log(`median (range), ms/s: this build visible ${span(here, 'visible')}, hidden ${span(here, 'hidden')}; ${ref} visible ${span(there, 'visible')}, hidden ${span(there, 'hidden')}`);
}

/** Fresh loads of `url`: when the last element's first data came, and the main thread's task time by then. */
async function busy(url, loads) {
  console.log('last first data (ms after navigation)  main-thread task time by then (ms)  of which script / layout / style');
  await freshLoads(loads, async (tab, ctx) => {
    const cdp = await ctx.newCDPSession(tab);
    await cdp.send('Performance.enable');
    await tab.addInitScript(() => {
      const ready = [];
      window.__ready = ready;
      new MutationObserver((records) => {
        for (const r of records) if (r.target.getAttribute('phase') === 'ready') ready.push(performance.now());
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['phase'] });
    });
    await tab.goto(url, { waitUntil: 'load' });
    await allReady(tab);
    const m = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    const last = await tab.evaluate(() => Math.max(...window.__ready));
    const ms = (k) => Math.round(m[k] * 1000);
    console.log(`${String(Math.round(last)).padStart(37)}  ${String(ms('TaskDuration')).padStart(33)}  ${ms('ScriptDuration')} / ${ms('LayoutDuration')} / ${ms('RecalcStyleDuration')}`);
  });
}

/** CPU ms so far of every process on the machine, by pid, with a name for its kind (Chromium's --type, else its program). */
function cpuByProcess() {
  const all = new Map();
  for (const p of processes()) {
    try {
      // (Chromium's forked processes rewrite their command line as one string.)
      const cmd = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const type = /--type=([\w-]+)/.exec(cmd)?.[1];
      const kind = type ? `chromium ${type}` : /chrom/.test(cmd) ? 'chromium browser' : /sped-up-relay/.test(cmd) ? 'relay' : cmd.split(' ')[0].split('/').pop() || '?';
      all.set(p.pid, { kind, ms: p.cpuMs });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/**
 * `loads` fresh loads in one browser: each in a new browser context and tab, handed to
 * `load(tab, ctx, i, browser)` once Chromium is quiet after opening it.
 */
async function freshLoads(loads, load) {
  const browser = await launchChromium();
  try {
    for (let i = 0; i < loads; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const tab = await ctx.newPage();
        await untilQuiet();
        await load(tab, ctx, i, browser);
      } finally {
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
  }
}

/** Fresh loads of `url`: the CPU each kind of process used from navigation to the last first data. */
async function cpu(url, loads) {
  await freshLoads(loads, async (tab, _ctx, i) => {
    const before = cpuByProcess();
    const t0 = performance.now();
    await tab.goto(url, { waitUntil: 'load' });
    await allReady(tab);
    const wall = performance.now() - t0;
    const used = new Map();
    for (const [pid, p] of cpuByProcess()) {
      const ms = p.ms - (before.get(pid)?.ms ?? 0);
      if (ms > 0) used.set(p.kind, (used.get(p.kind) ?? 0) + ms);
    }
    const list = [...used].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${ms}`).join(', ');
    console.log(`load ${i + 1}: ${Math.round(wall)} ms from navigation to the last first data; CPU ms: ${list}`);
  });
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
} else if (what === 'first-data-versus') {
  if (!pageArg) throw new Error('first-data-versus needs a git ref to compare with, e.g. `first-data-versus HEAD~1 /cms.html`');
  const missing = kitMissing(root);
  if (missing) throw new Error(missing);
  await firstDataVersus(pageArg, process.argv[4] ?? '/cms.html', Number(process.argv[5] ?? 10), Number(process.argv[6] ?? 0));
} else if (what === 'versus') {
  if (!pageArg) throw new Error('versus needs a git ref to compare with, e.g. `versus HEAD~3 /`');
  const missing = kitMissing(root);
  if (missing) throw new Error(missing);
  await versus(pageArg, process.argv[4] ?? '/', Number(process.argv[5] ?? 4));
} else {
  const missing = kitMissing(root);
  if (missing) throw new Error(missing);
  const relay = await startServer('relay-simulated', { SIM_SPEED: '1', DEMO: '1' });
  try {
    await new Promise((r) => setTimeout(r, 2000));
    if (what === 'steady') await steady(relay.url + (pageArg ?? '/'), Number(roundsArg ?? 2));
    else if (what === 'first-data') await firstData(relay.url + (pageArg ?? '/cms.html'));
    else if (what === 'timeline') await timeline(relay.url + (pageArg ?? '/cms.html'), Number(roundsArg ?? 3));
    else if (what === 'busy') await busy(relay.url + (pageArg ?? '/cms.html'), Number(roundsArg ?? 4));
    else if (what === 'cpu') await cpu(relay.url + (pageArg ?? '/'), Number(roundsArg ?? 4));
    else throw new Error(`unknown "${what}": use steady, first-data, timeline, busy, cpu, first-data-versus, versus or intl`);
  } finally {
    await relay.stop();
  }
}
