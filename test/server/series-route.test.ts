import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../server/config.js';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';

/** `GET /v1/series/:topic/:key` on one relay (memory bus and memory series store), over a real socket. */

const nowS = () => Math.floor(Date.now() / 1000);
/** The start of the 1-minute bucket (the 1h period's step) holding `ms`. */
const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;

async function series(r: InProcessRelay, path: string) {
  const res = await fetch(`${r.url}/v1/series/${path}`);
  return { status: res.status, cache: res.headers.get('x-cache'), body: (await res.json()) as any };
}

describe('series route (memory)', () => {
  const relays: InProcessRelay[] = [];
  const relay = async (config: Partial<Config> = {}) => {
    const r = await startRelay({ config });
    relays.push(r);
    return r;
  };
  after(async () => {
    for (const r of relays) await r.close();
  });

  test('records upserts and patches of series topics; the period selects the window', async () => {
    const r = await relay();
    const t = nowS();
    const pub = await publish(r.url, [
      { topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: 100, low: 90, ts: t - 7200 } },
      { topic: 'prices', key: '4151', op: 'upsert', data: { name: 'Abyssal whip', high: 110, low: 95, ts: t - 1800 } },
      { topic: 'prices', key: '4151', op: 'patch', data: { low: 99, ts: t - 60 } },
      { topic: 'prices', key: '561', op: 'upsert', data: { name: 'Nature rune', high: 5, low: 4, ts: t - 30 } },
      { topic: 'prices', key: '4151', op: 'patch', data: { name: 'renamed, no numbers' } },
      { topic: 'services', key: 'x', op: 'upsert', data: { progress: 50 } },
    ]);
    assert.equal(pub.status, 200);
    await r.ctx.series.recorder.idle();

    const hour = await series(r, 'prices/4151?period=1h');
    assert.equal(hour.status, 200);
    assert.equal(hour.cache, 'off');
    assert.deepEqual(hour.body, {
      topic: 'prices',
      key: '4151',
      period: '1h',
      lastEventId: pub.body.ids[5],
      stepMs: 60_000,
      sampled: false,
      t: [minute((t - 1800) * 1000), minute((t - 60) * 1000)],
      series: { high: [110, 110], low: [95, 99] },
    });
    const day = await series(r, 'prices/4151?period=24h&fields=low');
    const fiveMinutes = (ms: number) => Math.floor(ms / 300_000) * 300_000;
    assert.deepEqual(day.body.t, [fiveMinutes((t - 7200) * 1000), fiveMinutes((t - 1800) * 1000), fiveMinutes((t - 60) * 1000)]);
    assert.deepEqual(day.body.series, { low: [90, 95, 99] });
    const other = await series(r, 'prices/561');
    assert.equal(other.body.period, '24h', 'the default period');
    assert.deepEqual(other.body.series, { high: [5], low: [4] });
    const empty = await series(r, 'prices/nothing-here?period=all');
    assert.equal(empty.status, 200);
    assert.deepEqual([empty.body.t, empty.body.series], [[], {}]);
  });

  test('a point without data.ts is placed at the envelope time', async () => {
    const r = await relay();
    const before = Date.now();
    await publish(r.url, { topic: 'prices', key: 'k', op: 'upsert', data: { high: 1 } });
    await r.ctx.series.recorder.idle();
    const res = await series(r, 'prices/k?period=1h');
    assert.equal(res.body.t.length, 1);
    // Drawn at the start of its minute.
    assert.ok(res.body.t[0] >= minute(before) && res.body.t[0] <= minute(Date.now()), `${res.body.t[0]} is not the start of the minute of ${before}`);
  });

  test('sample=true reduces the buckets to the point budget and keeps a spike', async () => {
    const r = await relay();
    // 2000 points 43 s apart: the last 24 h, about 288 buckets of 5 minutes, 7 points each.
    const t0 = nowS() - 2000 * 43;
    const events = Array.from({ length: 2000 }, (_, i) => ({ topic: 'prices', key: 'spiky', op: 'upsert', data: { high: i === 1234 ? 9999 : 100 + (i % 7), low: 90, ts: t0 + i * 43 } }));
    assert.equal((await publish(r.url, events)).status, 200);
    await r.ctx.series.recorder.idle();
    const raw = await series(r, 'prices/spiky?period=24h');
    assert.ok(raw.body.t.length >= 287 && raw.body.t.length <= 290, `${raw.body.t.length} buckets`);
    assert.equal(raw.body.sampled, false);
    const sampled = await series(r, 'prices/spiky?period=24h&sample=true&points=100');
    assert.equal(sampled.body.sampled, true);
    assert.ok(sampled.body.t.length <= 100 && sampled.body.t.length > 50, `${sampled.body.t.length} points`);
    assert.equal(Math.max(...sampled.body.series.high), 9999);
    assert.equal(sampled.body.t.at(-1), raw.body.t.at(-1), 'the newest bucket is kept');
    assert.ok(sampled.body.t.every((t: number) => raw.body.t.includes(t)), 'sampling keeps bucket starts');
    const defaultBudget = await series(r, 'prices/spiky?period=24h&sample=true');
    assert.equal(defaultBudget.body.sampled, false, '288 buckets fit the default budget of 500');
    assert.deepEqual(defaultBudget.body.t, raw.body.t);
  });

  test('bad parameters answer 400 naming the parameter; a topic that is not a series answers 404', async () => {
    const r = await relay();
    const cases: Array<[string, number, RegExp]> = [
      ['prices/a?period=2h', 400, /^period must be one of 1h, 24h, 7d, 30d, 90d, 1y, all/],
      ['prices/a?points=0&sample=true', 400, /^points must be a whole number from 3 to 100000/],
      ['prices/a?points=100001', 400, /^points must be/],
      ['prices/a?points=abc', 400, /^points must be/],
      ['prices/a?sample=maybe', 400, /^sample must be true or false/],
      ['prices/a?cache=yes', 400, /^cache accepts only "skip"/],
      ['prices/a?fields=', 400, /^fields must be/],
      ['prices/a?period=1h&period=24h', 400, /^period must be/],
      ['Prices/a', 400, /topic "Prices" is not valid/],
      ['services/a', 404, /not recorded as a series; add it to SERIES_TOPICS/],
    ];
    for (const [path, status, message] of cases) {
      const res = await series(r, path);
      assert.equal(res.status, status, path);
      assert.match(res.body.error.message, message, path);
    }
  });

  test('keys may contain "/"; SERIES_TOPICS decides what is recorded', async () => {
    const r = await relay({ SERIES_TOPICS: ['metrics'] });
    await publish(r.url, [
      { topic: 'metrics', key: 'eu/cpu', op: 'upsert', data: { value: 0.5, ts: nowS() } },
      { topic: 'prices', key: 'a', op: 'upsert', data: { high: 1 } },
    ]);
    await r.ctx.series.recorder.idle();
    const res = await series(r, 'metrics/eu/cpu?period=1h');
    assert.deepEqual(res.body.series, { value: [0.5] });
    assert.equal(res.body.key, 'eu/cpu');
    assert.equal((await series(r, 'prices/a')).status, 404);
  });

  test('retention: at most SERIES_MAX_POINTS per series, nothing older than SERIES_RETENTION_MS', async () => {
    const r = await relay({ SERIES_MAX_POINTS: 10, SERIES_RETENTION_MS: 3_600_000 });
    const t = nowS();
    const events = Array.from({ length: 15 }, (_, i) => ({ topic: 'prices', key: 'r', op: 'upsert', data: { high: i, ts: t - 15 + i } }));
    events.unshift({ topic: 'prices', key: 'old', op: 'upsert', data: { high: -1, ts: t - 7200 } });
    events.push({ topic: 'prices', key: 'old', op: 'upsert', data: { high: 1, ts: t } });
    await publish(r.url, events);
    await r.ctx.series.recorder.idle();
    const kept = await r.ctx.series.store.range('prices', 'r', 0, Infinity);
    assert.deepEqual(kept.map((p) => p.values.high), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const old = await r.ctx.series.store.range('prices', 'old', 0, Infinity);
    assert.deepEqual(old.map((p) => p.values.high), [1], 'the point older than the retention window is gone');
    assert.deepEqual((await series(r, 'prices/old?period=all')).body.series.high, [1]);
  });
});
