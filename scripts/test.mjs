#!/usr/bin/env node
// `npm test`: type-check, then the server tests, the browser tests and the end-to-end tests, and
// close with one line `N passed, N failed` that adds them all up (CI reads that line).
// A stage fails when it finds no test, when a test hangs past TEST_TIMEOUT_MS, and, under CI=true,
// when a test was skipped: a green run must mean every test ran.
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
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? '');

/**
 * node's runner applies --test-timeout to every test, every describe block and every file as a
 * whole (each inherits it from its parent), so it must exceed the slowest file: the longest ran
 * about 80 s in a full run here (relay-cycles, reliability-fuzz), on a loaded 2-core machine; 300 s leaves room. A test that sets its own `timeout` keeps it within that bound.
 */
const TEST_TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 300_000);

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
  if (files.length === 0) {
    console.log(`\n=== ${label} ===\nno test files under ${dir}`);
    broken.push(`${label} (no tests found)`);
    return;
  }
  const tap = join(tmp, `${label}.tap`);
  const status = run(label, process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const total = (name) => Number(new RegExp(`^# ${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  // A test that timed out is "cancelled", not "fail", in node's counts: it failed all the same.
  const f = total('fail') + total('cancelled');
  passed += total('pass');
  failed += f;
  if (total('tests') === 0) broken.push(`${label} (ran no tests)`);
  else if (status !== 0 && f === 0) broken.push(label);
  const skipped = [...text.matchAll(/^\s*ok \d+ - (.*) # SKIP(.*)$/gm)].map((m) => `${m[1]}:${m[2]}`);
  countSkips(label, skipped.length || total('skipped'), skipped);
}

/** Under CI a skipped test fails its stage: a skip there means a promise went unchecked. */
function countSkips(label, count, names = []) {
  if (count === 0) return;
  const list = names.map((n) => `\n  - ${n}`).join('');
  if (!ci) {
    console.log(`\n${label}: ${count} test(s) skipped${list}`);
    return;
  }
  console.log(`\n${label}: ${count} test(s) skipped, which fails under CI=true${list}`);
  failed += count;
}

if (want('typecheck')) {
  if (run('type-check (tsc --noEmit)', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']) !== 0) {
    broken.push('type-check');
  }
}
if (want('server')) nodeTests('server', 'test/server');
if (want('browser')) {
  if (findTests('test/browser', '.test.ts').length === 0) broken.push('browser (no tests found)');
  else {
    const counts = join(tmp, 'browser.json');
    const status = run('browser (web-test-runner, Chromium)', process.execPath, [join(root, 'node_modules/@web/test-runner/dist/bin.js'), '--config', 'web-test-runner.config.mjs'], { WTR_COUNTS_FILE: counts });
    if (existsSync(counts)) {
      const c = JSON.parse(readFileSync(counts, 'utf8'));
      passed += c.passed;
      failed += c.failed;
      if (c.passed + c.failed === 0) broken.push('browser (ran no tests)');
      else if (status !== 0 && c.failed === 0) broken.push('browser');
      countSkips('browser', c.skipped ?? 0, c.skippedNames ?? []);
    } else if (status !== 0) broken.push('browser');
  }
}
if (want('e2e')) nodeTests('e2e', 'test/e2e');

if (broken.length) console.log(`\nstages that failed outside a test: ${broken.join(', ')}`);
failed += broken.length;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
