import { expect } from '@open-wc/testing';
import { getConnection } from '../../src/core/index.js';
import { closeTab, openTab, publish, relays, stats, uniqueTopic, waitFor } from './helpers.js';

/*
 * A page's first data rides in the stream's first frames (`snapshot=` on the stream request): no
 * `GET /v1/topics` request on the way, each selection's snapshot read once, in a fresh document
 * (an iframe loading the kit like a tab), with the SharedWorker and with a leader tab.
 */

describe('first data in the stream', () => {
  for (const noWorker of [false, true]) {
    it(`${noWorker ? 'leader tab' : 'SharedWorker'}: every selection's first data comes with the stream, without a snapshot request`, async () => {
      const { main } = await relays();
      const whole = uniqueTopic('fd-whole');
      const keyed = uniqueTopic('fd-keyed');
      await publish(main, [
        { topic: whole, key: 'a', op: 'upsert', data: { n: 1 } },
        { topic: whole, key: 'b', op: 'upsert', data: { n: 2 } },
        { topic: keyed, key: 'x', op: 'upsert', data: { n: 3 } },
        { topic: keyed, key: 'y', op: 'upsert', data: { n: 4 } },
      ]);
      // `${whole}/a` rides under the whole topic on the stream; its snapshot is asked all the same.
      const selectors = [whole, `${whole}/a`, `${keyed}/x`, `${keyed}/y`];
      const opened = await openTab(main, selectors, noWorker);
      const tab = opened.api;
      try {
        expect(tab.conn.mode).to.equal(noWorker ? 'leader' : 'worker');
        await waitFor('every selection ready', () => tab.subs.every((s) => s.phase === 'ready'));
        expect(tab.subs.map((s) => Object.fromEntries(s.items))).to.deep.equal([
          { a: { n: 1 }, b: { n: 2 } },
          { a: { n: 1 } },
          { x: { n: 3 } },
          { y: { n: 4 } },
        ]);
        const { topicRequests, snapshotReads } = await stats('main');
        expect([topicRequests[whole], topicRequests[keyed]], 'GET /v1/topics requests').to.deep.equal([undefined, undefined]);
        expect([snapshotReads[whole], snapshotReads[keyed]], 'snapshots asked with the stream, once per selection').to.deep.equal([2, 2]);
        // And live from there.
        await publish(main, [
          { topic: whole, key: 'a', op: 'patch', data: { m: 5 } },
          { topic: keyed, key: 'y', op: 'delete' },
        ]);
        await waitFor('the live events', () => tab.subs[1].items.get('a') && (tab.subs[1].items.get('a') as { m?: number }).m === 5 && tab.subs[3].items.size === 0);
        expect(tab.subs[0].items.get('a')).to.deep.equal({ n: 1, m: 5 });
      } finally {
        closeTab(opened);
      }
    });
  }

  it('more selections than one stream request may ask snapshots for (the relay\'s MAX_SELECTORS): the rest come with the next one', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('fd-many');
    const keys = Array.from({ length: 130 }, (_, i) => `k${i}`);
    await publish(main, keys.map((key, n) => ({ topic, key, op: 'upsert' as const, data: { n } })));
    const conn = getConnection({ relay: main });
    // One whole topic on the stream, a snapshot for it and for each of its 130 keys.
    const subs = [topic, ...keys.map((k) => `${topic}/${k}`)].map((s) => conn.subscribe(s, () => {}));
    try {
      await waitFor('every selection ready', () => subs.every((s) => s.phase === 'ready'));
      expect(subs[0].items.size).to.equal(130);
      expect(subs.slice(1).map((s) => (s.items.get(`k${subs.indexOf(s) - 1}`) as { n: number }).n)).to.deep.equal(keys.map((_, n) => n));
      const { topicRequests, snapshotReads } = await stats('main');
      expect(topicRequests[topic]).to.equal(undefined);
      expect(snapshotReads[topic], 'each selection\'s snapshot asked once').to.equal(131);
    } finally {
      for (const s of subs) s.release();
    }
  });
});
