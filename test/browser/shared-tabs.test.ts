import { expect } from '@open-wc/testing';
import { closeTab, openTab, publish, relays, stats, uniqueTopic, waitFor, type Tab } from './helpers.js';

// Several documents of one browser profile, as same-origin iframes of the test page (see openTab).

const ready = (tab: Tab) => tab.api.subs.every((s) => s.phase === 'ready');

/** Waits until the main relay serves no stream (an earlier test's may take a while to go); names those left when it fails. */
async function noStreamLeftOver(timeoutMs: number): Promise<void> {
  let open: string[] = [];
  await waitFor('no stream left over', async () => {
    const s = await stats('main');
    open = s.openStreams;
    return s.sseClients === 0;
  }, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; the streams still open: ${open.join('; ') || 'none seen by the test relay'}`);
  });
}

describe('one stream per browser', () => {
  it('two tabs share one stream through the SharedWorker, and a closing tab releases its topics', async () => {
    const { main } = await relays();
    await noStreamLeftOver(15_000);
    const shared = uniqueTopic('sw');
    const onlyA = uniqueTopic('swa');
    const a = await openTab(main, [shared, onlyA], false);
    const b = await openTab(main, [shared], false);
    try {
      expect(a.api.conn.mode).to.equal('worker');
      expect(b.api.conn.mode).to.equal('worker');
      await waitFor('both tabs ready', () => ready(a) && ready(b));
      await waitFor('one stream', async () => (await stats('main')).sseClients === 1);
      await publish(main, [
        { topic: shared, key: 'k', op: 'upsert', data: { n: 1 } },
        { topic: onlyA, key: 'k', op: 'upsert', data: { n: 2 } },
      ]);
      await waitFor('events in both tabs', () => a.api.seen.length === 2 && b.api.seen.length === 1);
      expect(b.api.seen).to.deep.equal([`${shared}:1`]);

      closeTab(a);
      await waitFor('the stream without the closed tab\'s topic', async () => (await stats('main')).lastTopics === shared);
      await publish(main, { topic: shared, key: 'k', op: 'upsert', data: { n: 3 } });
      await waitFor('b still live', () => b.api.seen.length === 2);
      expect(b.api.seen).to.deep.equal([`${shared}:1`, `${shared}:3`]);
      expect((await stats('main')).sseClients).to.equal(1);
    } finally {
      closeTab(a);
      closeTab(b);
    }
  });

  it('without SharedWorker three tabs share the leader\'s stream, and closing the leader loses no event', async () => {
    const { main } = await relays();
    await noStreamLeftOver(20_000);
    const topic = uniqueTopic('lead');
    const tabs = [await openTab(main, [topic], true), await openTab(main, [topic], true), await openTab(main, [topic], true)];
    try {
      for (const t of tabs) expect(t.api.conn.mode).to.equal('leader');
      await waitFor('all tabs ready', () => tabs.every(ready));
      await waitFor('one leader', () => tabs.filter((t) => t.api.conn.leading).length === 1);
      await waitFor('one stream', async () => (await stats('main')).sseClients === 1);

      const leader = tabs.find((t) => t.api.conn.leading)!;
      const followers = tabs.filter((t) => t !== leader);
      let n = 0;
      const send = async (count: number) => {
        for (let i = 0; i < count; i++) {
          await publish(main, { topic, key: `k${n % 3}`, op: 'upsert', data: { n: ++n } });
          await new Promise((r) => setTimeout(r, 15));
        }
      };
      await send(10);
      closeTab(leader);
      const closedAt = performance.now();
      // Events keep coming while the followers elect a new leader.
      const sending = send(20);
      await waitFor('a new leader', () => followers.some((t) => t.api.conn.leading), 2000);
      const takeover = performance.now() - closedAt;
      await sending;
      const all = Array.from({ length: n }, (_, i) => `${topic}:${i + 1}`);
      await waitFor('every event in every remaining tab', () => followers.every((t) => t.api.seen.length >= n));
      await new Promise((r) => setTimeout(r, 200));
      for (const t of followers) expect(t.api.seen).to.deep.equal(all);
      expect(takeover, 'takeover time in ms').to.be.lessThan(2000);
      await waitFor('one stream again', async () => (await stats('main')).sseClients === 1);
    } finally {
      for (const t of tabs) closeTab(t);
    }
  });

  for (const noWorker of [false, true]) {
    it(`${noWorker ? 'without SharedWorker' : 'with SharedWorker'}, a selection is read once per browser: a second tab gets the held state and the same events`, async () => {
      const { main } = await relays();
      const topic = uniqueTopic(noWorker ? 'once-lead' : 'once-sw');
      await publish(main, [
        { topic, key: 'a', op: 'upsert', data: { n: 1 } },
        { topic, key: 'b', op: 'upsert', data: { n: 2 } },
      ]);
      const a = await openTab(main, [topic], noWorker);
      let b: Tab | null = null;
      try {
        await waitFor('the first tab ready', () => ready(a));
        b = await openTab(main, [topic], noWorker);
        await waitFor('the second tab ready', () => ready(b!));
        expect(Object.fromEntries(b.api.subs[0].items)).to.deep.equal({ a: { n: 1 }, b: { n: 2 } });
        expect((await stats('main')).snapshotReads[topic], 'snapshot reads of the topic').to.equal(1);
        await publish(main, { topic, key: 'a', op: 'patch', data: { m: 3 } });
        await waitFor('the event in both tabs', () => a.api.seen.length === 1 && b!.api.seen.length === 1);
        for (const t of [a, b]) expect(t.api.subs[0].items.get('a')).to.deep.equal({ n: 1, m: 3 });
      } finally {
        closeTab(a);
        if (b) closeTab(b);
      }
    });
  }
});
