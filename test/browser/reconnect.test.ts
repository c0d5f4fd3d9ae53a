import { expect } from '@open-wc/testing';
import { getConnection } from '../../src/core/index.js';
import type { ConnectionState, SyncBatch } from '../../src/core/index.js';
import { appendToBus, publish, relays, snapshot, startRelay, stats, stopRelay, uniqueTopic, waitFor } from './helpers.js';

describe('losing the relay', () => {
  it('goes reconnecting → open when the relay comes back, and its state equals the relay snapshot', async () => {
    const { main } = await relays();
    const conn = getConnection({ relay: main });
    const topic = uniqueTopic('restart');
    await publish(main, { topic, key: 'a', op: 'upsert', data: { v: 0 } });
    const statuses: ConnectionState[] = [];
    const stop = conn.onStatus((s) => statuses.push(s.status));
    const sub = conn.subscribe(topic, () => {});
    try {
      await waitFor('ready and open', () => sub.phase === 'ready' && conn.status.status === 'open');
      await stopRelay('main');
      await waitFor('reconnecting', () => conn.status.status === 'reconnecting');
      // Changes made while the relay is away: the client must catch up on them after the restart.
      await appendToBus('main', [
        { topic, key: 'a', op: 'patch', data: { w: 1 } },
        { topic, key: 'b', op: 'upsert', data: { v: 2 } },
        { topic, key: 'a', op: 'patch', data: { v: 3 } },
      ]);
      await waitFor('a reconnection attempt counted', () => conn.status.attempts >= 1);
      await startRelay('main');
      await waitFor('open again', () => conn.status.status === 'open', 20_000);
      const relayState = await snapshot(main, topic);
      await waitFor('state equal to the relay snapshot', () => JSON.stringify(Object.fromEntries(sub.items)) === JSON.stringify(relayState.items));
      expect(Object.fromEntries(sub.items)).to.deep.equal({ a: { v: 3, w: 1 }, b: { v: 2 } });
      const i = statuses.indexOf('reconnecting');
      expect(i, `statuses: ${statuses.join(' → ')}`).to.be.greaterThan(-1);
      expect(statuses.slice(i)).to.include('open');
      expect(conn.status.attempts).to.equal(0);
    } finally {
      stop();
      sub.release();
      await startRelay('main');
    }
  });

  it('re-reads the snapshot after an expired position (reset) and carries on', async () => {
    const { small } = await relays();
    const conn = getConnection({ relay: small });
    const topic = uniqueTopic('expired');
    await publish(small, { topic, key: 'k0', op: 'upsert', data: 0 });
    const batches: SyncBatch[] = [];
    const sub = conn.subscribe(topic, (b) => batches.push(b));
    try {
      await waitFor('ready and open', () => sub.phase === 'ready' && conn.status.status === 'open');
      await stopRelay('small');
      // More events than the relay keeps (HISTORY_SIZE=5): the client's position falls out of the log.
      await appendToBus('small', Array.from({ length: 12 }, (_, i) => ({ topic, key: `k${i % 4}`, op: 'upsert' as const, data: i + 1 })));
      await startRelay('small');
      await waitFor('a batch flagged reset', () => batches.some((b) => b.reset), 20_000);
      const relayState = await snapshot(small, topic);
      expect(Object.fromEntries(sub.items)).to.deep.equal(relayState.items);
      expect(Object.fromEntries(sub.items)).to.deep.equal({ k0: 9, k1: 10, k2: 11, k3: 12 });
      // And live again after the reset.
      await publish(small, { topic, key: 'k4', op: 'upsert', data: 13 });
      await waitFor('the next event', () => sub.items.get('k4') === 13);
    } finally {
      sub.release();
      await startRelay('small');
    }
  });

  it('stops on 401 and shows the error instead of retrying', async () => {
    const { auth } = await relays();
    const conn = getConnection({ relay: auth, token: 'wrong-token' });
    const topic = uniqueTopic('secret');
    const before = (await stats('auth')).streamRequests;
    const sub = conn.subscribe(topic, () => {});
    try {
      await waitFor('closed with an error', () => conn.status.status === 'closed' && conn.status.error !== null);
      expect(conn.status.error!.code).to.equal('unauthorized');
      expect(conn.status.error!.message).to.match(/401/);
      await waitFor('the snapshot refused too', () => sub.phase === 'error');
      // Long enough for several retries at the relay's retry of 300 ms: none may come.
      await new Promise((r) => setTimeout(r, 2000));
      expect((await stats('auth')).streamRequests - before).to.equal(1);
    } finally {
      sub.release();
    }
    const good = getConnection({ relay: auth, token: 'good-token' });
    const ok = good.subscribe(topic, () => {});
    try {
      await waitFor('the right token gets through', () => ok.phase === 'ready' && good.status.status === 'open');
    } finally {
      ok.release();
    }
  });
});
