import { expect } from '@open-wc/testing';
import { getConnection } from '../../src/core/index.js';
import type { HubMessage } from '../../src/core/hub-protocol.js';
import { publish, relays, uniqueTopic, waitFor } from './helpers.js';

/**
 * What the SharedWorker posts to a page, seen from the page: every message event on a MessagePort
 * of this page, recorded before the kit opens its port (this file's page opens it below).
 */
const received: unknown[] = [];
const onmessage = Object.getOwnPropertyDescriptor(MessagePort.prototype, 'onmessage')!;
Object.defineProperty(MessagePort.prototype, 'onmessage', {
  configurable: true,
  get() {
    return onmessage.get!.call(this);
  },
  set(fn: ((e: MessageEvent) => void) | null) {
    onmessage.set!.call(this, fn && ((e: MessageEvent) => (received.push(e.data), fn.call(this, e))));
  },
});

const about = (data: unknown, topic: string) => JSON.stringify(data).includes(topic);

describe('the SharedWorker\'s messages to a page', () => {
  it('a stream chunk reaches the page as one message, one task: the status and the batch of every selection it changed', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('onetask');
    await publish(main, { topic, key: 'a', op: 'upsert', data: { n: 0 } });
    const conn = getConnection({ relay: main });
    const statuses: number[] = [];
    const stop = conn.onStatus((s) => s.lastEventAt !== null && statuses.push(s.lastEventAt));
    const whole = conn.subscribe(topic, () => {});
    const one = conn.subscribe(`${topic}/a`, () => {});
    try {
      expect(conn.mode).to.equal('worker');
      await waitFor('both selections ready', () => whole.phase === 'ready' && one.phase === 'ready');
      await new Promise((r) => setTimeout(r, 200));
      received.length = 0;
      await publish(main, { topic, key: 'a', op: 'upsert', data: { n: 1 } });
      await waitFor('the event in both', () => (whole.items.get('a') as { n: number }).n === 1 && (one.items.get('a') as { n: number }).n === 1);
      await new Promise((r) => setTimeout(r, 200));
      const mine = received.filter((d) => about(d, topic));
      expect(mine, 'message events about the chunk').to.have.length(1);
      const messages = mine[0] as HubMessage[];
      expect(Array.isArray(messages), 'an array of hub messages').to.equal(true);
      const syncs = messages.filter((m) => m.t === 'sync').map((m) => (m as Extract<HubMessage, { t: 'sync' }>).selector);
      expect(syncs.sort()).to.deep.equal([topic, `${topic}/a`].sort());
      expect(messages.some((m) => m.t === 'status' && m.status.lastEventAt !== null), 'the status with the new lastEventAt').to.equal(true);
      expect(statuses.length, 'the page saw the status').to.be.greaterThan(0);
    } finally {
      stop();
      whole.release();
      one.release();
    }
  });
});

describe('the SharedWorker\'s first states', () => {
  it('each selection\'s whole state comes in a message of its own: the widgets\' first data render in a task each', async () => {
    const { main } = await relays();
    const topics = [uniqueTopic('firsta'), uniqueTopic('firstb'), uniqueTopic('firstc')];
    await publish(main, topics.map((topic) => ({ topic, key: 'a', op: 'upsert' as const, data: { n: 0 } })));
    const conn = getConnection({ relay: main });
    received.length = 0;
    const subs = topics.map((t) => conn.subscribe(t, () => {}));
    try {
      await waitFor('three selections ready', () => subs.every((s) => s.phase === 'ready'));
      const full = (m: unknown) => (m as { t: string; full?: boolean }).t === 'sync' && (m as { full: boolean }).full;
      const carrying = received.filter((d) => Array.isArray(d) && d.some(full)) as unknown[][];
      expect(carrying.map((d) => d.filter(full).length), 'whole states per message').to.deep.equal([1, 1, 1]);
    } finally {
      for (const s of subs) s.release();
    }
  });
});
