import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadTransforms, TransformsLoadError } from '../../server/webhooks/sequin-transforms.js';
import { buses, type BusMaker } from '../helpers/buses.js';
import { spawnRelay, SpawnError, startRelay, type InProcessRelay } from '../helpers/relay.js';

/** Sequin record transforms (TRANSFORMS): the example on its fixture, failures refuse the whole delivery. */

const SECRET = 'sequin-secret-0123456789';
const EXAMPLE = 'examples/transforms.mjs';
const TEST_TRANSFORMS = 'test/fixtures/transforms/test-transforms.mjs';
const fixture = () => JSON.parse(readFileSync(new URL('../../examples/fixtures/yahoo-leagues-message.json', import.meta.url), 'utf8'));

let n = 0;
function message(table: string, record: Record<string, unknown>, action = 'insert') {
  return { record, changes: null, action, metadata: { table_schema: 'public', table_name: table, idempotency_key: `idem-${n++}-${Math.random()}` } };
}

async function post(url: string, body: unknown) {
  const res = await fetch(`${url}/v1/webhooks/sequin`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

async function items(url: string, topic: string): Promise<Record<string, unknown>> {
  return ((await (await fetch(`${url}/v1/topics/${topic}`)).json()) as any).items;
}

for (const harness of buses) describe(`Sequin transforms (${harness.name} bus)`, () => {
  let maker: BusMaker;
  let example: InProcessRelay;
  let relay: InProcessRelay;
  before(async () => {
    maker = await harness.setup();
    example = await startRelay({ config: { SEQUIN_WEBHOOK_SECRET: SECRET, TRANSFORMS: EXAMPLE }, bus: await maker.create() });
    relay = await startRelay({ config: { SEQUIN_WEBHOOK_SECRET: SECRET, TRANSFORMS: TEST_TRANSFORMS }, bus: await maker.create() });
  });
  after(async () => {
    await example.close();
    await relay.close();
    await maker.teardown();
  });

  test('the example turns the FantasyContent yahoo_leagues fixture into the standings <league-standings> shows', async () => {
    const res = await post(example.url, fixture());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ids.length, 1);
    assert.deepEqual(await items(example.url, 'leagues'), {
      '449.l.58231': {
        name: 'Office Gridiron',
        season: '2026',
        updatedAt: '2026-12-01T09:30:00Z',
        teams: [
          { id: '449.l.58231.t.1', rank: 1, name: 'Blitz Brigade', wins: 9, losses: 2, ties: 0, pointsFor: 1402.36 },
          { id: '449.l.58231.t.2', rank: 2, name: 'Gridiron Gurus', wins: 8, losses: 3, ties: 0, pointsFor: 1351.1 },
          { id: '449.l.58231.t.3', rank: 3, name: 'Fourth & Long', wins: 5, losses: 5, ties: 1, pointsFor: 1240.02 },
          { id: '449.l.58231.t.4', rank: 4, name: 'Hail Mary Hopefuls', wins: 1, losses: 9, ties: 1, pointsFor: 1088.44 },
        ],
      },
    });
    // A redelivery (same idempotency key) is not published again; a delete removes the league.
    assert.deepEqual((await post(example.url, fixture())).body, { ids: [], duplicates: 1 });
    const deleted = { ...fixture(), action: 'delete', metadata: { ...fixture().metadata, idempotency_key: 'delete-1' } };
    assert.equal((await post(example.url, deleted)).status, 200);
    assert.deepEqual(await items(example.url, 'leagues'), {});
  });

  test('a transform returns zero, one or several events; tables without one keep the default mapping', async () => {
    const res = await post(relay.url, {
      data: [
        message('split_rows', { id: 'r1', a: 1, b: 2 }),
        message('ignored', { id: 'x' }),
        message('plain', { id: 'p1', v: 3 }),
        message('audit.log', { id: 7 }, 'update'),
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ids.length, 4);
    assert.deepEqual(await items(relay.url, 'split'), { 'r1-a': 1, 'r1-b': 2 });
    assert.deepEqual(await items(relay.url, 'plain'), { p1: { id: 'p1', v: 3 } });
    assert.deepEqual(await items(relay.url, 'audit'), { '7': { table: 'audit.log', action: 'update' } });
  });

  test('tables trades and games map to the ticker\'s topics by default', async () => {
    const trade = { id: 'AAPL', symbol: 'AAPL', price: 228.4, change: 1.2, changePercent: 0.53 };
    const game = { id: 'nfl-1', league: 'NFL', status: 'live', home: { name: 'Buffalo', score: 7 }, away: { name: 'Detroit', score: 3 } };
    const res = await post(relay.url, { data: [message('trades', trade), message('games', game)] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(await items(relay.url, 'trades'), { AAPL: trade });
    assert.deepEqual(await items(relay.url, 'games'), { 'nfl-1': game });
  });

  test('a transform that throws refuses the whole batch with a clear error and a metric', async () => {
    const res = await post(relay.url, { data: [message('batchcheck', { id: 'ok', v: 1 }), message('boom', { id: 'b9' })] });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'transform_failed');
    assert.match(res.body.error.message, /data\[1\].*"boom" threw: no standings in record b9.*nothing of this delivery was published/);
    assert.deepEqual(await items(relay.url, 'batchcheck'), {}, 'the good message of the batch was not published either');
    const errors = await relay.ctx.metrics.transformErrors.get();
    assert.equal(errors.values.find((v) => v.labels.table === 'boom')?.value, 1);
    const rejected = await relay.ctx.metrics.webhookRejected.get();
    assert.equal(rejected.values.find((v) => v.labels.reason === 'transform')?.value, 1);
  });

  test('what a transform returns is validated like a publish', async () => {
    const res = await post(relay.url, message('bad_event', { id: 1 }));
    assert.equal(res.status, 422);
    assert.match(res.body.error.message, /bad_event transform's events\[0\]\.topic/);
  });
});

describe('TRANSFORMS loading', () => {
  test('a module that cannot load, or exports no transform, is refused naming TRANSFORMS', async () => {
    await assert.rejects(loadTransforms('test/fixtures/transforms/missing.mjs'), (err: Error) => err instanceof TransformsLoadError && /TRANSFORMS=.*could not be loaded/.test(err.message));
    await assert.rejects(loadTransforms('test/fixtures/transforms/empty-transforms.mjs'), /exports no transform/);
    await assert.rejects(spawnRelay({ TRANSFORMS: './nowhere/transforms.mjs' }), (err: Error) => err instanceof SpawnError && err.code === 1 && /TRANSFORMS=\.\/nowhere\/transforms\.mjs/.test(err.output));
  });
});
