import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { openStream, publish, startRelay } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';
import { hubStreams } from '../helpers/internals.js';
import { metricTotal } from '../helpers/metrics.mjs';

test('a client that never reads is evicted while a fast client keeps receiving everything', async () => {
  const maxBuffered = 64 * 1024;
  const r = await startRelay({ config: { MAX_BUFFERED_BYTES: maxBuffered, MAX_BODY_BYTES: 4 * 1024 * 1024 } });
  const { port } = new URL(r.url);
  // A real socket that sends its request and then never reads a byte.
  const stuck = connect(Number(port), '127.0.0.1');
  let stuckClosed = false;
  stuck.on('close', () => (stuckClosed = true));
  stuck.on('error', () => {});
  stuck.write(`GET /v1/events?topics=big HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
  const fast = await openStream(r.url, { topics: 'big' });
  try {
    await waitUntil(() => r.ctx.clients.size === 2, 'both streams to be open');
    const payload = 'x'.repeat(32 * 1024);
    const ids: string[] = [];
    let highest = 0;
    // Kernel socket buffers on loopback take several MB before the relay's own buffer grows.
    for (let i = 0; i < 2000 && (await evictedCount(r.url)) === 0; i++) {
      const res = await publish(r.url, Array.from({ length: 4 }, (_, j) => ({ topic: 'big', key: `k${j}`, op: 'upsert', data: { i, payload } })));
      assert.equal(res.status, 200);
      ids.push(...res.body.ids);
      highest = Math.max(highest, ...[...clientBuffers(r)]);
    }
    assert.equal(await evictedCount(r.url), 1, 'the stuck client was evicted');
    assert.ok(highest <= maxBuffered + 4 * (payload.length + 512), `the relay never held more than one batch over the limit for a client (held ${highest})`);
    // Reading now drains what the kernel held and then meets the relay's close.
    stuck.resume();
    await waitUntil(() => stuckClosed, 'the stuck socket to be closed by the relay');
    await waitUntil(() => r.ctx.clients.size === 1, 'the hub to keep only the fast client');
    const after = await publish(r.url, { topic: 'big', key: 'last', op: 'upsert', data: 1 });
    ids.push(...after.body.ids);
    await fast.waitFor((f) => f.some((x) => x.id === after.body.ids[0]), 30_000, 'the fast client to get the last event');
    assert.deepEqual(fast.changes().map((e) => e.id), ids, 'the fast client missed nothing');
  } finally {
    stuck.destroy();
    fast.close();
    await r.close();
  }
});

async function evictedCount(url: string): Promise<number> {
  return (await metricTotal(url, 'live_clients_evicted_total')) ?? NaN;
}

/** Unsent bytes the relay holds per stream right now. */
function* clientBuffers(r: Awaited<ReturnType<typeof startRelay>>): Iterable<number> {
  for (const c of hubStreams(r.ctx.clients)) yield c.res.writableLength;
}

test('a replay far larger than MAX_BUFFERED_BYTES reaches a reading client whole, and it stays connected', async () => {
  const r = await startRelay({ config: { MAX_BUFFERED_BYTES: 64 * 1024, HISTORY_SIZE: 1000 } });
  const payload = 'y'.repeat(20 * 1024);
  const ids: string[] = [];
  try {
    for (let b = 0; b < 20; b++) {
      const res = await publish(r.url, Array.from({ length: 20 }, (_, j) => ({ topic: 'big', key: `k${j}`, op: 'upsert', data: { b, payload } })));
      ids.push(...res.body.ids);
    }
    const s = await openStream(r.url, { topics: 'big', lastEventId: '0-0' });
    try {
      // Live events published while the 8 MB replay is still being written.
      for (let i = 0; i < 10; i++) ids.push(...(await publish(r.url, { topic: 'big', key: 'live', op: 'upsert', data: i })).body.ids);
      await s.waitFor((f) => f.some((x) => x.id === ids.at(-1)), 30_000, 'the last live event');
      assert.deepEqual(s.changes().map((e) => e.id), ids, 'replay then live, nothing missing or doubled');
      assert.equal(await evictedCount(r.url), 0, 'a client that reads is never evicted');
      assert.equal(r.ctx.clients.size, 1);
    } finally {
      s.close();
    }
  } finally {
    await r.close();
  }
});
