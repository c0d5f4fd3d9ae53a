import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/redis-server.js';
import { runCommand } from '../helpers/run-command.js';
import { openStream, publish, spawnRelay, type SpawnedRelay } from '../helpers/relay.js';

/*
 * The package as a site gets it from the registry: the build, `npm pack`, then
 * `npm install <tarball>` in an empty folder. From there the relay starts through its
 * bin with no tsx and no repository around it, serves the kit, and the element modules import in
 * Node (server rendering).
 */

const root = new URL('../..', import.meta.url).pathname;
const PUBLISH_TOKEN = 'package-install-test-token';

describe('the packed package, installed into an empty folder', () => {
  let work = '';
  let site = '';
  let relay: SpawnedRelay | undefined;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'live-elements-pack-'));
    // What `prepack` (`npm run build`) does, but custom-elements.json and the README's elements
    // section: they are committed, and a test should not rewrite tracked files.
    runCommand(process.execPath, ['scripts/build.mjs', '--no-analyze'], root, 240_000);
    runCommand('npm', ['pack', '--ignore-scripts', '--pack-destination', work], root, 60_000);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    assert.ok(tarball, `npm pack wrote no .tgz in ${work}`);
    site = join(work, 'site');
    mkdirSync(site);
    writeFileSync(join(site, 'package.json'), JSON.stringify({ name: 'a-site', private: true, type: 'module' }));
    runCommand('npm', ['install', join(work, tarball), '--no-audit', '--no-fund', '--prefer-offline'], site, 180_000);
    relay = await spawnRelay(
      { PORT: String(await freePort()), PUBLISH_TOKEN, LOG_LEVEL: 'warn', SIMULATE: '' },
      20_000,
      { args: [join(site, 'node_modules/.bin/live-elements-relay')], cwd: site },
    );
  });

  after(async () => {
    await relay?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('npm pack and npm publish build what they pack', () => {
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(scripts.prepack, 'npm run build');
    assert.equal(scripts.build, 'node scripts/build.mjs');
  });

  test('installs a runnable live-elements-relay bin and no tsx', () => {
    accessSync(join(site, 'node_modules/.bin/live-elements-relay'), constants.X_OK);
    assert.ok(!existsSync(join(site, 'node_modules/tsx')), 'tsx was installed: the relay must run without it');
  });

  test('the relay starts without the demo feeds and answers /healthz', async () => {
    assert.doesNotMatch(relay!.output(), /feeds:/, 'the bin must not start the simulator unless SIMULATE=1');
    assert.match(relay!.output(), /publish: bearer token/);
    assert.equal((await fetch(`${relay!.url}/healthz`)).status, 200);
  });

  test('a publish with the token reaches an open stream', async () => {
    const stream = await openStream(relay!.url, { topics: 'orders' });
    try {
      await stream.waitFor((f) => f.some((x) => x.event === 'connected'), 5_000, 'the connected frame');
      const answer = await publish(relay!.url, { topic: 'orders', key: 'o-1', op: 'upsert', data: { total: 42 } }, { Authorization: `Bearer ${PUBLISH_TOKEN}` });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      await stream.waitFor((f) => f.some((x) => x.event === 'change'), 5_000, 'the published change');
      assert.deepEqual(stream.changes().map((e) => [e.topic, e.key, e.data]), [['orders', 'o-1', { total: 42 }]]);
    } finally {
      stream.close();
    }
  });

  test('serves the script-tag kit from the package', async () => {
    const res = await fetch(`${relay!.url}/live-elements.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.match(await res.text(), /chunks\/kit-/);
  });

  test('every module the package exports imports in Node without a DOM (server rendering)', () => {
    const script = [
      `if (typeof window !== 'undefined' || typeof document !== 'undefined') throw new Error('this check needs a Node without a DOM');`,
      `await import('live-elements/service-status');`,
      `const { exports } = JSON.parse(await (await import('node:fs/promises')).readFile('node_modules/live-elements/package.json', 'utf8'));`,
      `for (const name of Object.keys(exports).filter((n) => !n.endsWith('.json'))) await import(name === '.' ? 'live-elements' : 'live-elements' + name.slice(1));`,
    ].join('\n');
    runCommand(process.execPath, ['--input-type=module', '-e', script], site, 30_000);
  });
});
