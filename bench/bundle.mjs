// Bundle: gzip sizes of the built kit against the budgets of issue 5 (script-tag kit without the
// chart ≤ 15.5 kB, chart chunk with uPlot ≤ 30 kB), measured as the build measures them
// (scripts/kit-sizes.mjs): what a page with every element but the chart downloads.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from './processes.mjs';
import { BUDGETS, measureKit } from '../scripts/kit-sizes.mjs';

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (/\.(m?js|css)$/.test(name)) out.push(p);
  }
  return out;
}

/** Builds (unless `build` is false) and measures; returns {skipped} when there is no build yet. */
export function bundle({ build, log }) {
  if (!existsSync(join(root, 'vite.config.ts'))) return { skipped: 'no vite.config.ts on this branch yet (the widgets build has not landed)' };
  if (build) {
    // The project's build (scripts/build.mjs when present: kit + bundler modules), else plain vite.
    const args = existsSync(join(root, 'scripts/build.mjs')) ? [join(root, 'scripts/build.mjs')] : [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'];
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) return { skipped: `npm run build failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}` };
  }
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return { skipped: 'dist/ is missing after the build' };
  const files = filesUnder(dist).map((p) => {
    const bytes = readFileSync(p);
    return { file: relative(root, p), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const kit = measureKit(dist);
  const group = (names, gzip) => ({ file: names.map((f) => `dist/${f}`).join(' + '), bytes: names.reduce((a, f) => a + files.find((x) => x.file === `dist/${f}`).bytes, 0), gzip });
  // Every file a SharedWorker page with every element but the chart downloads (not the worker script).
  const scriptTag = group(kit.groups.scriptTag, kit.scriptTag);
  // The chart's lazy chunks in the script-tag kit: the element and uPlot, loaded together.
  const chart = kit.groups.chart.length ? group(kit.groups.chart, kit.chart) : null;
  const result = {
    files,
    scriptTag: scriptTag ? { ...scriptTag, budget: BUDGETS.scriptTagWithoutChart, ratio: scriptTag.gzip / BUDGETS.scriptTagWithoutChart } : null,
    chart: chart ? { ...chart, budget: BUDGETS.chartWithUplot, ratio: chart.gzip / BUDGETS.chartWithUplot } : null,
  };
  for (const [name, f] of [['script-tag kit without the chart', result.scriptTag], ['chart chunk', result.chart]]) {
    log(f ? `  ${name} ${f.file}: ${(f.gzip / 1024).toFixed(1)} kB gzip of ${(f.budget / 1024).toFixed(0)} kB budget` : `  ${name}: not found in dist/`);
  }
  return result;
}
