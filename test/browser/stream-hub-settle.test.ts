import { expect } from '@open-wc/testing';
import { StreamHub } from '../../src/core/stream-hub.js';
import type { HubMessage } from '../../src/core/hub-protocol.js';
import { publish, relays, uniqueTopic, waitFor } from './helpers.js';

/**
 * The hub gathers subscription changes for `settleMs` before it (re)connects. A worker that starts
 * after its page asked (every first load: the page subscribes while the worker's script is still
 * loading) counts that window from when the page asked, so it does not wait it out twice.
 */
describe('StreamHub settle window', () => {
  const SETTLE_MS = 4000;

  async function firstSnapshotAfter(askedAgoMs: number | null): Promise<number> {
    const { main } = await relays();
    const topic = uniqueTopic('settle');
    await publish(main, { topic, key: 'a', op: 'upsert', data: { n: 1 } });
    const hub = new StreamHub({ relay: main, settleMs: SETTLE_MS });
    let snapshotAt = 0;
    const client = {
      deliver(m: HubMessage) {
        if (m.t === 'sync' && !snapshotAt) snapshotAt = performance.now();
      },
    };
    try {
      const start = performance.now();
      hub.attach(client).subscribe([topic], askedAgoMs === null ? undefined : Date.now() - askedAgoMs);
      await waitFor('the snapshot', () => snapshotAt, SETTLE_MS * 3);
      return snapshotAt - start;
    } finally {
      hub.close();
    }
  }

  it('counts the window from when the client asked: asked a window ago, it connects at once', async function (this: { timeout(ms: number): void }) {
    this.timeout(30_000);
    expect(await firstSnapshotAfter(SETTLE_MS), 'asked a whole window ago').to.be.below(SETTLE_MS / 2);
  });

  it('waits the window out when the client asks now (or does not say when)', async function (this: { timeout(ms: number): void }) {
    this.timeout(30_000);
    expect(await firstSnapshotAfter(0), 'asked now').to.be.at.least(SETTLE_MS - 50);
    expect(await firstSnapshotAfter(null), 'no time given').to.be.at.least(SETTLE_MS - 50);
  });
});
