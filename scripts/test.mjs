#!/usr/bin/env node
// `npm test`: type-check, then the server tests, the browser tests and the end-to-end tests, and
// close with one line `N passed, N failed` that adds them all up (CI reads that line).
// BROWSERS=chromium,firefox,webkit (the default) picks the engines of the browser and e2e stages.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2); // e.g. `npm test -- server` runs one stage
const want = (stage) => only.length === 0 || only.includes(stage);
const tmp = mkdtempSync(join(tmpdir(), 'live-elements-test-'));
let passed = 0;
let failed = 0;
let broken = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function findTests(dir, suffix) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...findTests(join(dir, name), suffix));
    else if (name.endsWith(suffix)) out.push(join(dir, name));
  }
  return out.sort();
}

function nodeTests(label, dir) {
  const files = findTests(dir, '.test.ts');
  if (files.length === 0) return;
  const tap = join(tmp, `${label}.tap`);
  const status = run(label, process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const p = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  const f = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
  passed += p;
  failed += f;
  if (status !== 0 && f === 0) broken.push(label);
}

if (want('typecheck')) {
  if (run('type-check (tsc --noEmit)', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']) !== 0) {
    broken.push('type-check');
  }
}
if (want('server')) nodeTests('server', 'test/server');
if (want('browser') && findTests('test/browser', '.test.ts').length > 0) {
  // One stage per engine, one after another: together they take about 5 minutes; at once, on a
  // 2-core machine, the suites' timing-sensitive tests would compete for the CPU.
  for (const engine of (process.env.BROWSERS || 'chromium,firefox,webkit').split(',').map((e) => e.trim()).filter(Boolean)) {
    const label = `browser:${engine}`;
    const counts = join(tmp, `${label}.json`);
    const started = Date.now();
    const status = run(`browser (web-test-runner, ${engine})`, process.execPath, [join(root, 'node_modules/@web/test-runner/dist/bin.js'), '--config', 'web-test-runner.config.mjs'], { BROWSERS: engine, WTR_COUNTS_FILE: counts });
    console.log(`${label}: ${Math.round((Date.now() - started) / 1000)} s`);
    if (existsSync(counts)) {
      const c = JSON.parse(readFileSync(counts, 'utf8'));
      passed += c.passed;
      failed += c.failed;
      if (status !== 0 && c.failed === 0) broken.push(label);
    } else if (status !== 0) broken.push(label);
  }
}
if (want('e2e')) nodeTests('e2e', 'test/e2e');

if (broken.length) console.log(`\nstages that failed outside a test: ${broken.join(', ')}`);
failed += broken.length;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
