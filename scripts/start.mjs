#!/usr/bin/env node
// `npm start`: the demo (the relay with the demo feeds and pages; SIMULATE=0 turns both off), memory bus unless REDIS_URL is set.
// It first builds the browser kit when dist/ is missing or older than src/, so the relay can serve it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

const built = join(root, 'dist/live-elements.js');
const inputs = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'vite.config.ts')).mtimeMs);
if (!existsSync(built) || statSync(built).mtimeMs < inputs) {
  console.log('building the browser kit (dist/ is missing or older than src/)...');
  // The kit only: declarations, custom-elements.json and the compiled relay are for publishing
  // (`npm run build`); here the relay runs from its TypeScript source.
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--no-types', '--no-analyze', '--no-relay'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('the kit did not build; the relay starts anyway and answers 503 at /live-elements.js');
  }
}

const env = { ...process.env, SIMULATE: process.env.SIMULATE ?? '1' };
// `npm start` is the demo when the simulator runs: its pages, and publishing from this machine
// without a token. DEMO=0 (or SIMULATE=0) starts the relay as in production; DEMO=1 keeps the pages.
const simulating = !['0', 'false', 'no', 'off'].includes(String(env.SIMULATE).trim().toLowerCase());
env.DEMO = process.env.DEMO ?? (simulating ? '1' : '0');
// The webhook sink never runs open; so the demo's Sequin example works out of the box, a local
// session gets its own random secret (shown on http://localhost:8080/drive.html to loopback
// visitors; a secret set in the environment never is).
delete env.DEMO_GENERATED_SECRET;
if (!env.SEQUIN_WEBHOOK_SECRET && !env.WEBHOOK_SECRET) {
  env.SEQUIN_WEBHOOK_SECRET = randomBytes(24).toString('hex');
  env.DEMO_GENERATED_SECRET = '1';
  console.log('SEQUIN_WEBHOOK_SECRET was unset: this session uses a random one (see /drive.html); set it to choose your own');
}
const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
