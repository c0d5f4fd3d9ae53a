import { expect } from '@open-wc/testing';
import { SseStream, backoffDelay, type ConnectionStatus, type Envelope } from '../../src/core/index.js';
import { appendToBus, publish, relays, startRelay, stats, stopRelay, uniqueTopic, waitFor } from './helpers.js';

describe('SseStream', () => {
  it('treats silence longer than 2.5 heartbeats as a dead connection and reconnects', async () => {
    const { silent } = await relays();
    const before = (await stats('silent')).streamRequests;
    const statuses: ConnectionStatus[] = [];
    const stream = new SseStream(
      { relay: silent, selectors: () => ['quiet'], heartbeatMs: 200, backoff: { baseMs: 50, capMs: 100 } },
      { onConnected() {}, onEvents() {}, onReset() {}, onStatus: (s) => statuses.push(s) },
    );
    const started = performance.now();
    stream.start();
    try {
      await waitFor('a second stream request after the silence', async () => (await stats('silent')).streamRequests - before >= 2, 5000);
      // Not before 2.5 × 200 ms of silence.
      expect(performance.now() - started).to.be.greaterThan(450);
      const dead = statuses.find((s) => s.status === 'reconnecting');
      expect(dead?.error?.code).to.equal('stream_silent');
      expect(statuses.some((s) => s.status === 'open')).to.equal(true);
    } finally {
      stream.close();
    }
    expect(stream.status.status).to.equal('closed');
    const after = (await stats('silent')).streamRequests;
    await new Promise((r) => setTimeout(r, 700));
    expect((await stats('silent')).streamRequests, 'no request after close()').to.equal(after);
  });

  it('delivers a burst as few batches, in id order; on restart resumes after Last-Event-ID, so an event published while away arrives once', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('raw');
    const batches: Envelope[][] = [];
    let connected = 0;
    const stream = new SseStream(
      { relay: main, selectors: () => [topic], backoff: { baseMs: 50, capMs: 200 } },
      { onConnected: () => connected++, onEvents: (e) => batches.push(e), onReset() {}, onStatus() {} },
    );
    stream.start();
    try {
      await waitFor('open', () => stream.status.status === 'open');
      const ids = await publish(main, Array.from({ length: 100 }, (_, i) => ({ topic, key: 'k', op: 'upsert' as const, data: i })));
      await waitFor('100 events', () => batches.flat().length === 100);
      expect(batches.flat().map((e) => e.id)).to.deep.equal(ids);
      expect(batches.length).to.be.lessThan(10);
      expect(stream.lastEventId).to.equal(ids[99]);

      // Away: the relay drops the stream, and an event is appended while nobody listens. A client
      // that reconnects without Last-Event-ID starts at the log's end and never sees it.
      await stopRelay('main');
      try {
        await waitFor('the stream to notice', () => stream.status.status === 'reconnecting');
        const missed = await appendToBus('main', [{ topic, key: 'k', op: 'upsert', data: 100 }]);
        stream.restart();
        await startRelay('main');
        await waitFor('reconnected', () => connected === 2 && stream.status.status === 'open');
        await waitFor('the event published while away', () => batches.flat().length === 101);
        const more = await publish(main, { topic, key: 'k', op: 'upsert', data: 101 });
        await waitFor('the next live event', () => batches.flat().length === 102);
        // Resumed right after the last id: the missed event once, nothing replayed twice.
        expect(batches.flat().map((e) => e.id)).to.deep.equal([...ids, ...missed, ...more]);
      } finally {
        await startRelay('main');
      }
    } finally {
      stream.close();
    }
  });

  it('waits for `online` while the browser is offline, then resumes', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('offline');
    const seen: Envelope[] = [];
    const stream = new SseStream({ relay: main, selectors: () => [topic] }, { onConnected() {}, onEvents: (e) => seen.push(...e), onReset() {}, onStatus() {} });
    // The page's view of the network, as the browser reports it.
    let online = true;
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
    stream.start();
    try {
      await waitFor('open', () => stream.status.status === 'open');
      online = false;
      dispatchEvent(new Event('offline'));
      await waitFor('offline', () => stream.status.status === 'offline');
      const missed = await publish(main, { topic, key: 'k', op: 'upsert', data: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(stream.status.status, 'no attempt while offline').to.equal('offline');
      online = true;
      dispatchEvent(new Event('online'));
      await waitFor('open again', () => stream.status.status === 'open');
      await waitFor('the event published while offline', () => seen.some((e) => e.id === missed[0]));
    } finally {
      stream.close();
      delete (navigator as unknown as { onLine?: boolean }).onLine;
    }
  });

  it('computes full-jitter backoff capped at 30 s', () => {
    expect(backoffDelay(1, 1000, 30_000, () => 0.999)).to.equal(999);
    expect(backoffDelay(3, 1000, 30_000, () => 0.5)).to.equal(2000);
    expect(backoffDelay(20, 1000, 30_000, () => 0.999)).to.equal(29_970);
    expect(backoffDelay(5, 1000, 30_000, () => 0)).to.equal(0);
  });
});
