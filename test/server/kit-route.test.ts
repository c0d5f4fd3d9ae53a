import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { getBytes } from '../helpers/raw-http.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

const root = new URL('../..', import.meta.url).pathname;
const dist = join(root, 'dist');
const uPlotChunk = () => readdirSync(join(dist, 'chunks')).find((c) => /^uPlot.*\.js$/i.test(c))!;

describe('the relay serves the kit', () => {
  let relay: InProcessRelay;
  let bare: InProcessRelay;
  let uncompressed: InProcessRelay;
  const emptyDir = mkdtempSync(join(tmpdir(), 'kit-empty-'));
  const plainDir = mkdtempSync(join(tmpdir(), 'kit-plain-'));

  before(async () => {
    // Also when dist/ was built before the build precompressed the kit (no .br beside the files).
    if (!existsSync(join(dist, 'live-elements.js.br'))) {
      const r = spawnSync(process.execPath, ['scripts/build.mjs', '--no-types', '--no-analyze'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
    }
    // A kit as an older build (or a hand copy) left it: the files without their .gz/.br siblings.
    mkdirSync(join(plainDir, 'chunks'));
    for (const f of ['live-elements.js', 'live-elements.module.js', join('chunks', uPlotChunk())]) copyFileSync(join(dist, f), join(plainDir, f));
    relay = await startRelay({ config: { KIT_DIR: dist } });
    bare = await startRelay({ config: { KIT_DIR: emptyDir } });
    uncompressed = await startRelay({ config: { KIT_DIR: plainDir } });
  });
  after(async () => {
    await relay?.close();
    await bare?.close();
    await uncompressed?.close();
    rmSync(emptyDir, { recursive: true, force: true });
    rmSync(plainDir, { recursive: true, force: true });
  });

  test('/live-elements.js: JavaScript, any origin, short cache', async () => {
    const res = await fetch(`${relay.url}/live-elements.js`, { headers: { Origin: 'https://cms.example' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300, must-revalidate');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await res.text(), /chunks\/kit-[\w-]+\.js/, 'the loader names the kit chunk');
  });

  test('the kit module is an entry (short cache), hashed chunks are immutable for a year', async () => {
    const mod = await fetch(`${relay.url}/live-elements.module.js`);
    assert.equal(mod.status, 200);
    assert.match(mod.headers.get('cache-control') ?? '', /max-age=300/);
    await mod.arrayBuffer();
    const res = await fetch(`${relay.url}/chunks/${uPlotChunk()}`, { headers: { Origin: 'https://cms.example' } });
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
    // The .gz/.br files are sent only in place of their script, never under their own names.
    for (const path of ['/chunks/nope-abcdef12.js', '/chunks/..%2F..%2Fpackage.json', '/chunks/.env-abcdef12.js', '/live-elements.nope.js', '/live-elements.js.br', `/chunks/${uPlotChunk()}.gz`]) {
      const res = await fetch(`${relay.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'not_found', path);
    }
    const health = await fetch(`${relay.url}/healthz`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });

  /** The kit's files a page loads, by URL, with the file each one serves. */
  const served = () => [
    ['/live-elements.js', 'live-elements.js'],
    ['/live-elements.module.js', 'live-elements.module.js'],
    ['/connection-worker.js', 'connection-worker.js'],
    [`/chunks/${uPlotChunk()}`, join('chunks', uPlotChunk())],
  ];

  test('sends brotli to a client that accepts br and gzip, whatever their order (browsers list gzip first): the build\'s .br, decoding to the same bytes', async () => {
    for (const [[path, file], acceptEncoding] of served().flatMap((p) => ['br, gzip', 'gzip, deflate, br, zstd'].map((a) => [p, a] as const))) {
      const res = await getBytes(`${relay.url}${path}`, { 'Accept-Encoding': acceptEncoding, Origin: 'https://cms.example' });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-encoding'], 'br', path);
      assert.match(res.headers.vary ?? '', /\bAccept-Encoding\b/i, path);
      assert.deepEqual(res.body, readFileSync(join(dist, `${file}.br`)), path);
      assert.equal(Number(res.headers['content-length']), res.body.length, `${path}: Content-Length is the compressed length`);
      assert.deepEqual(brotliDecompressSync(res.body), readFileSync(join(dist, file)), path);
      // Everything the route sent before it compressed.
      assert.match(res.headers['content-type'] ?? '', /^text\/javascript/, path);
      assert.equal(res.headers['access-control-allow-origin'], '*', path);
      assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin', path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.match(res.headers['cache-control'] ?? '', /^public, max-age=/, path);
    }
  });

  test('sends gzip (the build\'s zopfli .gz) when gzip is accepted and br is not', async () => {
    for (const acceptEncoding of ['gzip', 'gzip, deflate', 'br;q=0, gzip']) {
      for (const [path, file] of served()) {
        const res = await getBytes(`${relay.url}${path}`, { 'Accept-Encoding': acceptEncoding });
        assert.equal(res.status, 200, `${path} (${acceptEncoding})`);
        assert.equal(res.headers['content-encoding'], 'gzip', `${path} (${acceptEncoding})`);
        assert.match(res.headers.vary ?? '', /\bAccept-Encoding\b/i, path);
        assert.equal(Number(res.headers['content-length']), statSync(join(dist, `${file}.gz`)).size, path);
        assert.deepEqual(gunzipSync(res.body), readFileSync(join(dist, file)), `${path} (${acceptEncoding})`);
      }
    }
  });

  test('sends the plain file to a client that accepts neither (identity only, q=0 for both, no header)', async () => {
    for (const headers of [{ 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'gzip;q=0, br;q=0' }, {} as Record<string, string>]) {
      for (const [path, file] of served()) {
        const res = await getBytes(`${relay.url}${path}`, headers);
        const what = `${path} (${JSON.stringify(headers)})`;
        assert.equal(res.status, 200, what);
        assert.equal(res.headers['content-encoding'], undefined, what);
        assert.match(res.headers.vary ?? '', /\bAccept-Encoding\b/i, what);
        assert.deepEqual(res.body, readFileSync(join(dist, file)), what);
        assert.equal(Number(res.headers['content-length']), res.body.length, what);
      }
    }
  });

  test('Last-Modified and Content-Length come from the file sent, so each encoding has its own', async () => {
    // The relay sends no ETags (app-wide), so Last-Modified is the validator: give each file its own.
    const dir = mkdtempSync(join(tmpdir(), 'kit-stamped-'));
    const stamps = { '': '2026-01-01T00:00:00Z', '.gz': '2026-01-02T00:00:00Z', '.br': '2026-01-03T00:00:00Z' };
    for (const [suffix, at] of Object.entries(stamps)) {
      copyFileSync(join(dist, `live-elements.js${suffix}`), join(dir, `live-elements.js${suffix}`));
      utimesSync(join(dir, `live-elements.js${suffix}`), new Date(at), new Date(at));
    }
    const stamped = await startRelay({ config: { KIT_DIR: dir } });
    try {
      for (const [acceptEncoding, suffix] of [['identity', ''], ['gzip', '.gz'], ['br', '.br']] as const) {
        const res = await getBytes(`${stamped.url}/live-elements.js`, { 'Accept-Encoding': acceptEncoding });
        assert.equal(res.headers['last-modified'], new Date(stamps[suffix]).toUTCString(), acceptEncoding);
        assert.equal(Number(res.headers['content-length']), statSync(join(dir, `live-elements.js${suffix}`)).size, acceptEncoding);
        const again = await getBytes(`${stamped.url}/live-elements.js`, { 'Accept-Encoding': acceptEncoding, 'If-Modified-Since': res.headers['last-modified']! });
        assert.equal(again.status, 304, acceptEncoding);
      }
    } finally {
      await stamped.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a precompressed sibling that cannot be read answers a 500 JSON that is not labelled br', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kit-broken-'));
    copyFileSync(join(dist, 'live-elements.js'), join(dir, 'live-elements.js'));
    mkdirSync(join(dir, 'live-elements.js.br'));
    const broken = await startRelay({ config: { KIT_DIR: dir } });
    try {
      const res = await getBytes(`${broken.url}/live-elements.js`, { 'Accept-Encoding': 'br' });
      assert.equal(res.status, 500);
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal((JSON.parse(res.body.toString('utf8')) as { error: { code: string } }).error.code, 'internal');
    } finally {
      await broken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('byte ranges are served of the plain file only, never of an encoded body', async () => {
    const url = `${relay.url}/chunks/${uPlotChunk()}`;
    const plainRange = await getBytes(url, { 'Accept-Encoding': 'identity', Range: 'bytes=0-9' });
    assert.equal(plainRange.status, 206);
    assert.equal(plainRange.body.length, 10);
    for (const e of ['br', 'gzip']) {
      const res = await getBytes(url, { 'Accept-Encoding': e, Range: 'bytes=0-9' });
      assert.equal(res.status, 200, e);
      assert.equal(res.headers['content-encoding'], e);
      assert.equal(res.headers['accept-ranges'], undefined, e);
      assert.equal(res.headers['content-range'], undefined, e);
      assert.equal(Number(res.headers['content-length']), res.body.length, e);
    }
  });

  test('a kit without the .gz/.br siblings (built before precompression) is still served, plain', async () => {
    for (const [path, file] of served().filter(([p]) => p !== '/connection-worker.js')) {
      const res = await getBytes(`${uncompressed.url}${path}`, { 'Accept-Encoding': 'br, gzip' });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-encoding'], undefined, path);
      assert.match(res.headers.vary ?? '', /\bAccept-Encoding\b/i, path);
      assert.deepEqual(res.body, readFileSync(join(plainDir, file)), path);
    }
  });

  test('before a build it answers 503 saying how to build', async () => {
    const res = await fetch(`${bare.url}/live-elements.js`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'kit_not_built');
    assert.match(body.error.message, /npm run build/);
  });
});
