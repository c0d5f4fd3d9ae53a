import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BusUnavailableError, type AppendInput, type AppendResult } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { TEST_BUS_OPTIONS } from '../helpers/buses.js';
import { openStream, publish, startRelay, type InProcessRelay, type TestStream } from '../helpers/relay.js';
import { metricsText } from '../helpers/metrics.mjs';

/**
 * How the relay reacts to its bus's signals (epoch change, readiness, unavailability). A memory
 * bus stands in with those signals under the test's control; the Redis bus's own tests show
 * when the real one raises them.
 */
class SignallingBus extends MemoryBus {
  private ready = true;
  unavailable = false;
  private readonly epochListeners = new Set<() => void>();
  private readonly readyListeners = new Set<(r: boolean) => void>();
  override onEpochChange(l: () => void): () => void {
    this.epochListeners.add(l);
    return () => this.epochListeners.delete(l);
  }
  override onReadyChange(l: (r: boolean) => void): () => void {
    this.readyListeners.add(l);
    return () => this.readyListeners.delete(l);
  }
  override isReady(): boolean {
    return this.ready;
  }
  fireEpochChange(): void {
    for (const l of this.epochListeners) l();
  }
  setReady(ready: boolean): void {
    this.ready = ready;
    this.unavailable = !ready;
    for (const l of this.readyListeners) l(ready);
  }
  override async append(inputs: readonly AppendInput[]): Promise<AppendResult> {
    if (this.unavailable) throw new BusUnavailableError();
    return super.append(inputs);
  }
  override async snapshot(...args: Parameters<MemoryBus['snapshot']>) {
    if (this.unavailable) throw new BusUnavailableError();
    return super.snapshot(...args);
  }
  override async lastId() {
    if (this.unavailable) throw new BusUnavailableError();
    return super.lastId();
  }
}

describe('relay and bus signals', () => {
  const relays: InProcessRelay[] = [];
  const streams: TestStream[] = [];
  after(async () => {
    for (const s of streams) s.close();
    for (const r of relays) await r.close();
  });
  const setup = async () => {
    const bus = new SignallingBus(TEST_BUS_OPTIONS);
    const r = await startRelay({ bus });
    relays.push(r);
    return { bus, r };
  };

  test('an epoch change sends reset (reason epoch, naming its topics) to every stream', async () => {
    const { bus, r } = await setup();
    const a = await openStream(r.url, { topics: 'prices,services/x' });
    const b = await openStream(r.url, { topics: 'leagues' });
    streams.push(a, b);
    for (const s of [a, b]) await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
    await publish(r.url, { topic: 'prices', key: 'a', op: 'upsert', data: 1 });
    bus.fireEpochChange();
    for (const s of [a, b]) await s.waitFor((f) => f.some((x) => x.event === 'reset'), 5000, 'reset');
    const ra = a.frames.find((f) => f.event === 'reset')!;
    assert.deepEqual(ra.json.topics, ['prices', 'services']);
    assert.equal(ra.json.reason, 'epoch');
    assert.equal(ra.json.lastEventId, await bus.lastId());
    assert.deepEqual(b.frames.find((f) => f.event === 'reset')!.json.topics, ['leagues']);
    assert.match(await metricsText(r.url), /^live_replay_resets_total 2$/m);
    const next = await publish(r.url, { topic: 'prices', key: 'a', op: 'upsert', data: 2 });
    await a.waitFor((f) => f.some((x) => x.id === next.body.ids[0]), 5000, 'the stream to go on after the reset');
  });

  test('while the bus is unreachable: readyz 503, publish and snapshot 503, open streams stay', async () => {
    const { bus, r } = await setup();
    const s = await openStream(r.url, { topics: 't' });
    streams.push(s);
    await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
    bus.setReady(false);
    const ready = await fetch(`${r.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal((await ready.json()).error.code, 'not_ready');
    const pub = await publish(r.url, { topic: 't', key: 'a', op: 'upsert', data: 1 });
    assert.equal(pub.status, 503);
    assert.equal(pub.body.error.code, 'bus_unavailable');
    assert.equal((await fetch(`${r.url}/v1/topics/t`)).status, 503);
    const fresh = await openStream(r.url, { topics: 't' });
    assert.equal(fresh.status, 503, 'a new stream cannot learn its position: 503, the client retries');
    assert.equal(r.ctx.clients.size, 1, 'the open stream stays connected');
    bus.setReady(true);
    assert.equal((await fetch(`${r.url}/readyz`)).status, 200);
    const ok = await publish(r.url, { topic: 't', key: 'a', op: 'upsert', data: 2 });
    assert.equal(ok.status, 200);
    await s.waitFor((f) => f.some((x) => x.id === ok.body.ids[0]), 5000, 'delivery after recovery');
  });
});
