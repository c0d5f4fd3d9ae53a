import { expect } from '@open-wc/testing';
import { getConnection } from '../../src/core/index.js';
import type { HubMessage } from '../../src/core/hub-protocol.js';
import { StreamHub } from '../../src/core/stream-hub.js';
import { publish, relays, uniqueTopic, waitFor } from './helpers.js';

/** Every message this page posts on a MessagePort (its link to the SharedWorker), recorded. */
const posted: unknown[] = [];
const postMessage = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, options?: StructuredSerializeOptions) {
  posted.push(message);
  return postMessage.call(this, message, options);
} as typeof postMessage;

describe('when the stream opens', () => {
  it('a hub opens its first stream once the task that subscribed is done, not `settleMs` later; a later change waits `settleMs` to share one reconnection', async () => {
    const { main } = await relays();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => uniqueTopic(`settle-${x}`));
    await publish(main, [a, b, c].map((topic) => ({ topic, key: 'k', op: 'upsert' as const, data: { n: 1 } })));
    const hub = new StreamHub({ relay: main, settleMs: 3000 });
    const firstData = new Map<string, number>();
    const client = hub.attach({
      deliver: (m: HubMessage) => {
        if (m.t === 'sync' && m.phase === 'ready' && !firstData.has(m.selector)) firstData.set(m.selector, performance.now());
      },
    });
    try {
      const t0 = performance.now();
      client.subscribe([a]);
      client.subscribe([b]);
      await waitFor('the first two selections\' first data', () => firstData.has(a) && firstData.has(b));
      expect(firstData.get(a)! - t0, 'ms to the first data').to.be.lessThan(2000);
      const t1 = performance.now();
      client.subscribe([c]);
      await waitFor('the third selection\'s first data', () => firstData.has(c), 10_000);
      expect(firstData.get(c)! - t1, 'ms to a later selection\'s first data').to.be.at.least(2900);
    } finally {
      hub.close();
    }
  });

  it('a page sends what it subscribes in one task to its SharedWorker as one message', async () => {
    const { main } = await relays();
    const topics = ['x', 'y', 'z'].map((x) => uniqueTopic(`onemsg-${x}`));
    await publish(main, topics.map((topic) => ({ topic, key: 'k', op: 'upsert' as const, data: { n: 1 } })));
    const conn = getConnection({ relay: main });
    posted.length = 0;
    const subs = topics.map((t) => conn.subscribe(t, () => {}));
    try {
      expect(conn.mode).to.equal('worker');
      await waitFor('the three first data', () => subs.every((s) => s.phase === 'ready'));
      const subscribes = posted.filter((m) => (m as { t?: string }).t === 'subscribe') as Array<{ selectors: string[] }>;
      expect(subscribes.map((m) => m.selectors)).to.deep.equal([topics]);
    } finally {
      for (const s of subs) s.release();
    }
  });
});
