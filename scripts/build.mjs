#!/usr/bin/env node
// `npm run build`: the three vite builds (bundler modules, script-tag kit, loader), the type
// declarations, custom-elements.json and the README's elements section; the kit's precompressed
// .gz/.br copies; the relay compiled to JavaScript in dist/server/ (what `live-elements-relay`
// runs; `--no-relay` skips it); then the gzip size of every output file, failing when the
// script-tag kit is over its budgets.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { compressKit } from './compress-kit.mjs';
import { BUDGETS, imports, measureKit, overBudget } from './kit-sizes.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

function run(label, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status})`);
    process.exit(1);
  }
}

const started = performance.now();
rmSync(dist, { recursive: true, force: true });
for (const mode of ['production', 'kit']) await build({ root, configFile: join(root, 'vite.config.ts'), mode, logLevel: 'warn' });
// The loader imports the kit chunk by its hashed name: one round trip less than through the entry.
const kitChunk = readdirSync(join(dist, 'chunks')).find((f) => /^kit-.*\.js$/.test(f));
if (!kitChunk) {
  console.error('build: the kit chunk (dist/chunks/kit-*.js) is missing');
  process.exit(1);
}
// A page that loads the kit from another origin needs a same-origin copy of the SharedWorker
// (`data-worker`): give it a stable name to copy. The worker is one self-contained file.
const worker = readdirSync(join(dist, 'chunks')).find((f) => /^connection-worker-.*\.js$/.test(f));
if (!worker) {
  console.error('build: the SharedWorker chunk (dist/chunks/connection-worker-*.js) is missing');
  process.exit(1);
}
// A page with a chart gets the chart's chunk and the chunks it imports (but the kit) from the
// loader, beside the kit: its history is then asked for one round trip after the loader, like
// the stream, instead of after the kit, the chart chunk and its imports in turn.
const chartChunk = readdirSync(join(dist, 'chunks')).find((f) => /^live-price-chart-.*\.js$/.test(f));
if (!chartChunk) {
  console.error('build: the chart chunk (dist/chunks/live-price-chart-*.js) is missing');
  process.exit(1);
}
const chartModules = [`chunks/${chartChunk}`, ...imports(dist, `chunks/${chartChunk}`, false).filter((f) => f !== `chunks/${kitChunk}`)].map((f) => `./${f}`);
// The loader starts the worker while the kit loads: it names that script too.
await build({
  root,
  configFile: join(root, 'vite.config.ts'),
  mode: 'loader',
  logLevel: 'warn',
  define: { __KIT_MODULE__: JSON.stringify(`./chunks/${kitChunk}`), __WORKER_MODULE__: JSON.stringify(`./chunks/${worker}`), __CHART_MODULES__: JSON.stringify(chartModules) },
});
copyFileSync(join(dist, 'chunks', worker), join(dist, 'connection-worker.js'));
// The relay sends these .gz/.br copies to browsers that accept them (server/routes/kit.ts).
try {
  await compressKit(dist);
} catch (err) {
  console.error(`build: precompressing the kit (.gz, .br) failed: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
}
if (!process.argv.includes('--no-relay')) run('relay (tsc -p tsconfig.server.json)', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.server.json']);
if (!process.argv.includes('--no-types')) run('type declarations', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
if (!process.argv.includes('--no-analyze')) {
  run('custom-elements.json', [join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js'), 'analyze']);
  run('README elements section', [join(root, 'scripts/readme-elements.mjs')]);
}

const m = measureKit(dist);
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const s of m.files) console.log(`${`dist/${s.file}`.padEnd(52)} ${kb(s.bytes).padStart(9)}  gzip ${kb(s.gzip).padStart(8)}`);
const list = (files) => files.map((f) => f.replace(/^chunks\//, '')).join(', ');
console.log(`\nscript-tag kit without the chart:                       gzip ${kb(m.scriptTag)} (budget ${kb(BUDGETS.scriptTagWithoutChart)})`);
console.log(`  = a page with every element but the chart, SharedWorker browser: ${list(m.groups.scriptTag)}`);
console.log(`SharedWorker script (runs in the worker, its own download): gzip ${kb(m.worker)}`);
console.log(`stream fallback, only without SharedWorker (leader/in-page): gzip ${kb(m.fallback)} (${list(m.groups.fallback)})`);
console.log(`token code, only when a token is set:                   gzip ${kb(m.token)} (${list(m.groups.token)})`);
console.log(`chart chunk with uPlot:                                 gzip ${kb(m.chart)} (budget ${kb(BUDGETS.chartWithUplot)})`);
console.log(`<live-value> chunk, when one is on the page:            gzip ${kb(m.value)} (budget ${kb(BUDGETS.valueChunk)})`);
console.log(`<live-ticker> chunk, when one is on the page:           gzip ${kb(m.ticker)} (budget ${kb(BUDGETS.tickerChunk)})`);
console.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const over = overBudget(m);
if (over.length) {
  console.error(`\nbuild: over budget: ${over.join('; ')}. Look at what the files above import.`);
  process.exit(1);
}
