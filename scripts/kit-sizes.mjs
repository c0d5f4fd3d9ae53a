// The kit's gzip sizes and budgets, shared by `npm run build` and its test.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Budgets in gzip bytes: each file as the relay sends it to a browser that accepts gzip (the
 * build's zopfli `.gz` copy, see compress-kit.mjs; brotli browsers get less).
 * - `scriptTagWithoutChart` (issue 5: 15 kB; issue 13: 15.5 kB once `<live-source>` provides its
 *   connection through @lit/context's controllers, ~0.4 kB, rather than its own copy; issue 14:
 *   15.7 kB for each widget's first render in a task of its own and the loader's early start of
 *   the browser's locale data, ~50 B, which took the kit's long tasks off the host page's input,
 *   and for subscribing the lazily loaded elements' selections before their chunks arrive, ~60 B,
 *   which brings their first data in the first stream request; then 15.8 kB for the page's render
 *   slots, ~100 B, which draw every widget's live data in about four frames a second instead of
 *   one frame per widget and batch, and for relative times that stop ageing in a hidden tab,
 *   ~20 B: the dashboard's steady main thread went from 55–67 to 32–35 ms/s; then 16.0 kB for the
 *   loader's import of the chart's chunks beside the kit when a chart is on the page, ~80 B, which
 *   takes two round trips off the chart's first data, for handing the kit the loader's open
 *   SharedWorker connection, ~50 B, and for sending a task's subscriptions to the worker as one
 *   message, ~40 B, which bring the first stream request sooner; then 16.1 kB for defining each of
 *   the kit's elements in a task of its own with their selections held from the kit's own task,
 *   ~100 B, which took the kit's longest task under 4x CPU throttling from 102–177 to 65 ms and
 *   Lighthouse's mobile TBT on `/cms.html` from 64–138 to 19 ms): what a page pays that embeds the script tag and
 *   shows every element but the chart, in the common case of a browser with SharedWorker and no
 *   subscriber token: the loader `live-elements.js` and the kit chunk it imports (with whatever
 *   that imports). Not counted: the SharedWorker script (it runs in the worker, its own download,
 *   reported as `worker`), the stream chunk a tab loads only where no SharedWorker is usable
 *   (`fallback`), the token code loaded only when a token is set (`token`).
 * - `chartWithUplot` (issue 5: 30 kB): the chart's chunk, uPlot's and what else they import.
 * - `valueChunk`, `tickerChunk` (issue 16: "tiny"): the `<live-value>` and `<live-ticker>` chunks.
 */
export const BUDGETS = { scriptTagWithoutChart: Math.round(16.1 * 1024), chartWithUplot: 30 * 1024, valueChunk: 2 * 1024, tickerChunk: 5 * 1024 };

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Relative paths of the chunks `rel` imports: statically (`import … from`, `export … from`) or with `import()`. */
export function imports(dist, rel, dynamic) {
  const text = readFileSync(join(dist, rel), 'utf8');
  const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  // Dynamic: `import("./x.js")`, and the loader's `new URL("./chunks/kit-….js", src)` that it imports.
  const re = dynamic ? /\b(?:import\(|new URL\()\s*["'`](\.\.?\/[^"'`]+\.js)["'`]/g : /(?:\bimport|\bexport)\s*(?:[\w$*{}\s,]+from\s*)?["'`](\.\.?\/[^"'`]+)["'`]/g;
  return [...text.matchAll(re)].map((m) => relative(dist, join(dist, dir, m[1])));
}

/**
 * Every output file with its size and gzip size, and the sums the budgets apply to:
 * `scriptTag` (a page showing every element but the chart, with a SharedWorker: see BUDGETS),
 * `worker` (the SharedWorker script), `fallback` (the stream code a tab loads without a usable
 * SharedWorker, beyond `scriptTag`), `token` (the token code, loaded when a token is set), `chart`
 * (the chart's chunk, uPlot's and what else they import beyond `scriptTag`), `value` and `ticker`
 * (the `<live-value>` and `<live-ticker>` chunks, loaded when their tag is on the page), and the
 * files of each.
 */
export function measureKit(dist) {
  const all = files(dist)
    .filter((p) => p.endsWith('.js'))
    .map((p) => {
      const rel = relative(dist, p);
      const body = readFileSync(p);
      // The gzip the relay sends: the build's zopfli copy (`.gz`) where there is one, else gzip -9.
      const gzip = existsSync(`${p}.gz`) ? statSync(`${p}.gz`).size : gzipSync(body, { level: 9 }).length;
      return { file: rel, bytes: body.length, gzip };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  const gz = new Map(all.filter((s) => !s.file.startsWith('esm/')).map((s) => [s.file, s.gzip]));
  const isChart = (f) => /^chunks\/(live-price-chart|uPlot)/i.test(f);
  // Elements in a chunk of their own, loaded like the chart only when their tag is on the page.
  const isValue = (f) => /^chunks\/live-value-/.test(f);
  const isTicker = (f) => /^chunks\/live-ticker-/.test(f);
  /** `roots` and every chunk they import statically, except those in `skip`. */
  const closure = (roots, skip = new Set()) => {
    const seen = new Set();
    const walk = (rel) => {
      if (seen.has(rel) || skip.has(rel) || !gz.has(rel)) return;
      seen.add(rel);
      for (const dep of imports(dist, rel, false)) walk(dep);
    };
    roots.forEach(walk);
    return seen;
  };
  const sum = (set) => [...set].reduce((n, f) => n + gz.get(f), 0);
  // The loader, and the kit module it imports (named in it as `new URL("./chunks/kit-….js")`).
  const loader = 'live-elements.js';
  // The worker script the loader also names (it starts the SharedWorker early) runs in the worker, counted apart.
  const isWorker = (f) => /^chunks\/connection-worker-/.test(f);
  const page0 = closure([loader, ...imports(dist, loader, true).filter((f) => !isWorker(f))]);
  // What the kit loads with import(): the chart with uPlot, when a chart is on the page; the
  // stream code a tab runs itself (only without a usable SharedWorker); the token code (only when
  // a token is set). Anything else it loads lazily is paid by a page showing every element.
  const lazy = [...new Set([...page0].flatMap((f) => imports(dist, f, true)))];
  const isStream = (f) => /^chunks\/stream-links-/.test(f);
  const isToken = (f) => /^chunks\/token-/.test(f);
  const ownChunk = (f) => isStream(f) || isChart(f) || isToken(f) || isValue(f) || isTicker(f) || isWorker(f);
  const page = closure([...page0, ...lazy.filter((f) => !ownChunk(f))]);
  const fallback = closure(lazy.filter(isStream), page);
  const token = closure(lazy.filter(isToken), page);
  const worker = [...gz.keys()].filter(isWorker);
  const chart = closure([...gz.keys()].filter(isChart), page);
  const value = closure([...gz.keys()].filter(isValue), page);
  const ticker = closure([...gz.keys()].filter(isTicker), page);
  return {
    files: all,
    scriptTag: sum(page),
    worker: sum(new Set(worker)),
    fallback: sum(fallback),
    token: sum(token),
    chart: sum(chart),
    value: sum(value),
    ticker: sum(ticker),
    hasChartChunk: chart.size > 0,
    groups: { scriptTag: [...page], worker, fallback: [...fallback], token: [...token], chart: [...chart], value: [...value], ticker: [...ticker] },
  };
}

/** What is over budget, as sentences; empty when all is well. */
export function overBudget(m) {
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  const over = [];
  if (m.scriptTag > BUDGETS.scriptTagWithoutChart) over.push(`a script-tag page with every element but the chart downloads ${kb(m.scriptTag)} gzip, over its ${kb(BUDGETS.scriptTagWithoutChart)} budget`);
  if (m.chart > BUDGETS.chartWithUplot) over.push(`the chart chunk with uPlot is ${kb(m.chart)} gzip, over its ${kb(BUDGETS.chartWithUplot)} budget`);
  if (m.value > BUDGETS.valueChunk) over.push(`the <live-value> chunk is ${kb(m.value)} gzip, over its ${kb(BUDGETS.valueChunk)} budget`);
  if (m.ticker > BUDGETS.tickerChunk) over.push(`the <live-ticker> chunk is ${kb(m.ticker)} gzip, over its ${kb(BUDGETS.tickerChunk)} budget`);
  if (!m.hasChartChunk) over.push('no chart chunk was emitted: the chart must be a dynamic import so pages without one do not load uPlot');
  if (m.fallback === 0) over.push('no stream chunk was emitted: the leader/in-page stream code must be a dynamic import so SharedWorker pages do not load it');
  return over;
}
