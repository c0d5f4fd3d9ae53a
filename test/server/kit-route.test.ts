import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

const root = new URL('../..', import.meta.url).pathname;
const dist = join(root, 'dist');

describe('the relay serves the kit', () => {
  let relay: InProcessRelay;
  let bare: InProcessRelay;
  const emptyDir = mkdtempSync(join(tmpdir(), 'kit-empty-'));

  before(async () => {
    if (!existsSync(join(dist, 'live-elements.js'))) {
      const r = spawnSync(process.execPath, ['scripts/build.mjs', '--no-types', '--no-analyze'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
    }
    relay = await startRelay({ config: { KIT_DIR: dist } });
    bare = await startRelay({ config: { KIT_DIR: emptyDir } });
  });
  after(async () => {
    await relay?.close();
    await bare?.close();
    rmSync(emptyDir, { recursive: true, force: true });
  });

  test('/live-elements.js: JavaScript, any origin, short cache', async () => {
    const res = await fetch(`${relay.url}/live-elements.js`, { headers: { Origin: 'https://cms.example' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300, must-revalidate');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await res.text(), /live-elements\.module\.js/);
  });

  test('the kit module is an entry (short cache), hashed chunks are immutable for a year', async () => {
    const mod = await fetch(`${relay.url}/live-elements.module.js`);
    assert.equal(mod.status, 200);
    assert.match(mod.headers.get('cache-control') ?? '', /max-age=300/);
    await mod.arrayBuffer();
    const chunk = readdirSync(join(dist, 'chunks')).find((c) => /^uPlot/i.test(c))!;
    const res = await fetch(`${relay.url}/chunks/${chunk}`, { headers: { Origin: 'https://cms.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    await res.arrayBuffer();
  });

  test('/connection-worker.js: the SharedWorker under a stable name, to copy to a page\'s own origin', async () => {
    const res = await fetch(`${relay.url}/connection-worker.js`, { headers: { Origin: 'https://cms.example' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('cache-control') ?? '', /max-age=300/);
    assert.ok((await res.text()).length > 1000, 'the worker body is served');
  });

  test('unknown chunks and paths outside the kit are 404 JSON, other routes still answer', async () => {
    for (const path of ['/chunks/nope-abcdef12.js', '/chunks/..%2F..%2Fpackage.json', '/chunks/.env-abcdef12.js', '/live-elements.nope.js']) {
      const res = await fetch(`${relay.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'not_found', path);
    }
    const health = await fetch(`${relay.url}/healthz`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });

  test('before a build it answers 503 saying how to build', async () => {
    const res = await fetch(`${bare.url}/live-elements.js`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'kit_not_built');
    assert.match(body.error.message, /npm run build/);
  });
});
