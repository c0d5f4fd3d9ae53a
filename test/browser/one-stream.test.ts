import { expect } from '@open-wc/testing';
import { getConnection } from '../../src/core/index.js';
import type { LiveSubscription, SyncBatch } from '../../src/core/index.js';
import { publish, relays, stats, uniqueTopic, waitFor } from './helpers.js';

describe('one page, many subscriptions', () => {
  it('rides six subscriptions on exactly one stream and delivers each its events', async () => {
    const { main } = await relays();
    const conn = getConnection({ relay: main });
    const topics = Array.from({ length: 6 }, (_, i) => uniqueTopic(`six${i}`));
    await publish(main, topics.map((topic) => ({ topic, key: 'a', op: 'upsert' as const, data: { n: 0 } })));
    const batches: SyncBatch[][] = topics.map(() => []);
    const subs: LiveSubscription[] = topics.map((t, i) => conn.subscribe(t, (b) => batches[i].push(b)));
    try {
      expect(conn.mode, 'a page with SharedWorker support shares the stream through the worker').to.equal('worker');
      await waitFor('six snapshots', () => subs.every((s) => s.phase === 'ready'));
      for (const s of subs) expect(s.items.get('a')).to.deep.equal({ n: 0 });
      await waitFor('exactly one stream on the relay', async () => (await stats('main')).sseClients === 1);

      // 50 events for each topic in one publish: one frame burst, few notifications.
      const burst = topics.flatMap((topic) => Array.from({ length: 50 }, (_, n) => ({ topic, key: 'a', op: 'upsert' as const, data: { n: n + 1 } })));
      await publish(main, burst);
      await waitFor('the last event everywhere', () => subs.every((s) => (s.items.get('a') as { n: number }).n === 50));
      for (let i = 0; i < topics.length; i++) {
        const applied = batches[i].flatMap((b) => b.events);
        expect(applied.map((e) => (e.data as { n: number }).n)).to.deep.equal(Array.from({ length: 50 }, (_, n) => n + 1));
        // Batching: far fewer notifications than events.
        expect(batches[i].filter((b) => b.events.length > 0).length).to.be.lessThan(10);
      }
      expect((await stats('main')).sseClients).to.equal(1);
    } finally {
      for (const s of subs) s.release();
    }
    await waitFor('the stream closed when the last subscription went', async () => (await stats('main')).sseClients === 0);
  });

  it('adding a subscription while events flow loses and doubles nothing for the others', async () => {
    const { main } = await relays();
    const conn = getConnection({ relay: main });
    const flowing = uniqueTopic('flow');
    const seen: number[] = [];
    const sub = conn.subscribe(flowing, (b) => {
      for (const e of b.events) seen.push((e.data as { n: number }).n);
    });
    const added: LiveSubscription[] = [];
    try {
      await waitFor('the first snapshot', () => sub.phase === 'ready');
      let n = 0;
      // Publish steadily while five more topics join (each join reconnects the shared stream).
      for (let round = 0; round < 5; round++) {
        await publish(main, { topic: flowing, key: 'k', op: 'upsert', data: { n: ++n } });
        added.push(conn.subscribe(uniqueTopic(`join${round}`), () => {}));
        await publish(main, { topic: flowing, key: 'k', op: 'upsert', data: { n: ++n } });
        await new Promise((r) => setTimeout(r, 30));
        await publish(main, { topic: flowing, key: 'k', op: 'upsert', data: { n: ++n } });
      }
      await waitFor('every event', () => seen.length >= n && added.every((s) => s.phase === 'ready'));
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
    } finally {
      sub.release();
      for (const s of added) s.release();
    }
  });
});
