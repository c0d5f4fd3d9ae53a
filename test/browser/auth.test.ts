import { expect, fixture, html } from '@open-wc/testing';
import { getConnection } from '../../src/core/index.js';
import type { LiveConnection, LiveSubscription } from '../../src/core/index.js';
import '../../src/elements/live-source/live-source.js';
import '../../src/elements/service-status/service-status.js';
import '../../src/elements/live-price-chart/live-price-chart.js';
import type { LiveSource } from '../../src/elements/live-source/live-source.js';
import type { ServiceStatus } from '../../src/elements/service-status/service-status.js';
import type { LivePriceChart } from '../../src/elements/live-price-chart/live-price-chart.js';
import { mint, publish, relays, stats, uniqueTopic, waitFor } from './helpers.js';

/*
 * The kit against a relay that verifies real subscriber tokens (the `jwt` relay of
 * relay-plugin.ts: `open` is public, every other topic needs a token whose claims cover it).
 * Each test uses its own `sub`: pages of one identity share one stream, whatever its token says.
 */

const expOf = (token: string): number => (JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp: number }).exp * 1000;

/** Follows `topic` and records the `n` of every event, in arrival order. */
function follow(conn: LiveConnection, topic: string): { sub: LiveSubscription; seen: number[] } {
  const seen: number[] = [];
  const sub = conn.subscribe(topic, (batch) => {
    for (const e of batch.events) seen.push((e.data as { n: number }).n);
  });
  return { sub, seen };
}

/**
 * Publishes `{n}` events to `topic` every 150 ms until `done()` (then three more), and returns
 * how many were published: the stream is reconnecting somewhere in between.
 */
async function publishUntil(relay: string, topic: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let n = 0;
  let extra = 3;
  while (extra > 0) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms publishing while waiting for the token refresh`);
    await publish(relay, { topic, key: `k${n % 5}`, op: 'upsert', data: { n: ++n } });
    if (await done()) extra--;
    await new Promise((r) => setTimeout(r, 150));
  }
  return n;
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('subscriber tokens', () => {
  it('a token string reads a private topic: the stream and the snapshot send it', async () => {
    const { jwt } = await relays();
    const topic = uniqueTopic('private');
    await publish(jwt, { topic, key: 'a', op: 'upsert', data: { n: 1 } });
    const token = await mint({ sub: uniqueTopic('reader'), topics: [topic] });
    const conn = getConnection({ relay: jwt, token });
    const { sub, seen } = follow(conn, topic);
    try {
      await waitFor('ready and open', () => sub.phase === 'ready' && conn.status.status === 'open');
      expect(Object.fromEntries(sub.items)).to.deep.equal({ a: { n: 1 } });
      await publish(jwt, { topic, key: 'b', op: 'upsert', data: { n: 2 } });
      await waitFor('the live event', () => seen.includes(2));
    } finally {
      sub.release();
    }
    const anonymous = getConnection({ relay: jwt });
    const refused = anonymous.subscribe(topic, () => {});
    try {
      await waitFor('refused without a token', () => refused.phase === 'error');
      expect(refused.error!.code).to.equal('unauthorized');
      expect(refused.error!.message).to.match(/401.*not public/);
    } finally {
      refused.release();
    }
  });

  for (const mode of ['worker', 'leader'] as const) {
    it(`${mode}: a token function is called again before exp and the stream moves to the fresh token, losing and doubling nothing`, async function (this: { timeout(ms: number): void }) {
      this.timeout(60_000);
      const { jwt } = await relays();
      const topic = uniqueTopic('refresh');
      const minted: Array<{ at: number; exp: number }> = [];
      const token = async () => {
        const t = await mint({ sub: uniqueTopic('refresher'), topics: [topic], expiresIn: 20 });
        minted.push({ at: Date.now(), exp: expOf(t) });
        return t;
      };
      const conn = getConnection({ relay: jwt, token, worker: mode === 'leader' ? false : undefined });
      const { sub, seen } = follow(conn, topic);
      try {
        await waitFor('ready and open', () => sub.phase === 'ready' && conn.status.status === 'open');
        expect(conn.mode).to.equal(mode);
        const before = (await stats('jwt')).streamRequests;
        const n = await publishUntil(jwt, topic, async () => minted.length >= 2 && (await stats('jwt')).streamRequests > before, 40_000);
        await waitFor('every event', () => seen.length >= n);
        await new Promise((r) => setTimeout(r, 300));
        expect(seen).to.deep.equal(upTo(n));
        expect(minted[1].at, 'the second token was fetched before the first expired').to.be.lessThan(minted[0].exp);
        expect(conn.status.status).to.equal('open');
      } finally {
        sub.release();
      }
    });
  }

  it('after the relay ends the stream with token-expired, a fresh token resumes it by id without loss', async function (this: { timeout(ms: number): void }) {
    this.timeout(60_000);
    const { jwt } = await relays();
    const topic = uniqueTopic('expiry');
    const sub = uniqueTopic('cached');
    // Like a backend that hands out the same token until it expires: the early refresh gets the
    // same one back, so the relay's `token-expired` ends the stream and only then a new one comes.
    let current: { token: string; exp: number } | null = null;
    const minted: Array<{ at: number; exp: number }> = [];
    const token = async () => {
      if (!current || Date.now() >= current.exp) {
        const t = await mint({ sub, topics: [topic], expiresIn: 4 });
        current = { token: t, exp: expOf(t) };
        minted.push({ at: Date.now(), exp: current.exp });
      }
      return current.token;
    };
    const conn = getConnection({ relay: jwt, token });
    const { sub: s, seen } = follow(conn, topic);
    try {
      await waitFor('ready and open', () => s.phase === 'ready' && conn.status.status === 'open');
      const before = await stats('jwt');
      const n = await publishUntil(jwt, topic, async () => minted.length >= 2 && conn.status.status === 'open' && (await stats('jwt')).streamRequests > before.streamRequests, 40_000);
      await waitFor('every event', () => seen.length >= n);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).to.deep.equal(upTo(n));
      expect(minted[1].at, 'the new token came after the first expired').to.be.at.least(minted[0].exp);
      // Renewed on `token-expired` itself, not by bouncing off a 401 with the expired token.
      expect((await stats('jwt')).readersRefused, 'no request refused').to.equal(before.readersRefused);
    } finally {
      s.release();
    }
  });

  it('a relay that keeps answering 401 to fresh tokens ends in the error state, without a retry loop', async () => {
    const { jwt } = await relays();
    const topic = uniqueTopic('wrong-key');
    let calls = 0;
    const token = async () => {
      calls++;
      return mint({ sub: uniqueTopic('forger'), topics: [topic], key: 'another-secret-0123456789abcdefghijkl' } as never);
    };
    const before = (await stats('jwt')).streamRequests;
    const conn = getConnection({ relay: jwt, token });
    const s = conn.subscribe(topic, () => {});
    try {
      await waitFor('closed with an error', () => conn.status.status === 'closed' && conn.status.error !== null);
      expect(conn.status.error!.code).to.equal('unauthorized');
      expect(conn.status.error!.message).to.match(/401.*token function.*refused too/);
      await waitFor('the element side errored', () => s.phase === 'error');
      const requests = (await stats('jwt')).streamRequests - before;
      expect(requests, 'one try, one more with a fresh token').to.equal(2);
      await new Promise((r) => setTimeout(r, 2000));
      expect((await stats('jwt')).streamRequests - before, 'no retry after the error').to.equal(requests);
      expect(calls).to.be.at.least(2);
    } finally {
      s.release();
    }
  });

  it('a token function that throws ends in the error state with its message', async () => {
    const { jwt } = await relays();
    const before = (await stats('jwt')).streamRequests;
    const conn = getConnection({
      relay: jwt,
      token: async () => {
        throw new Error('the session has ended');
      },
    });
    const s = conn.subscribe(uniqueTopic('nobody'), () => {});
    try {
      await waitFor('errored', () => s.phase === 'error');
      expect(s.error!.code).to.equal('token_failed');
      expect(s.error!.message).to.match(/token function failed: the session has ended/);
      expect(conn.status.status).to.equal('closed');
      expect((await stats('jwt')).streamRequests, 'nothing sent without a token').to.equal(before);
    } finally {
      s.release();
    }
  });

  it('a 403 for one selector errors only the elements that asked for it; the others stay live', async () => {
    const { jwt } = await relays();
    const allowed = uniqueTopic('allowed');
    const denied = uniqueTopic('denied');
    await publish(jwt, [
      { topic: allowed, key: 'api-1', op: 'upsert', data: { name: 'API', status: 'running' } },
      { topic: denied, key: 'db-1', op: 'upsert', data: { name: 'DB', status: 'idle' } },
      { topic: 'open', key: 'web-1', op: 'upsert', data: { name: 'Web', status: 'running' } },
    ]);
    const token = await mint({ sub: uniqueTopic('partial'), topics: [allowed] });
    const source = await fixture<LiveSource>(html`
      <live-source relay=${jwt} token=${token}>
        <service-status topic=${allowed} locale="en-US"></service-status>
        <service-status topic=${denied} locale="en-US"></service-status>
        <service-status topic="open" locale="en-US"></service-status>
      </live-source>
    `);
    const [ok, refused, open] = [...source.querySelectorAll<ServiceStatus>('service-status')];
    await waitFor('the refused element errored', () => refused.getAttribute('phase') === 'error');
    await waitFor('the others ready', () => ok.getAttribute('phase') === 'ready' && open.getAttribute('phase') === 'ready');
    const message = refused.shadowRoot!.querySelector('[part="error"]')!.textContent!;
    expect(message).to.contain(`"${denied}"`);
    expect(message).to.match(/403/);
    expect(await waitFor('the stream without the refused topic', async () => {
      const s = await stats('jwt');
      return s.lastTopics.split(',').includes(allowed) && !s.lastTopics.includes(denied) && s.lastTopics;
    })).to.contain('open');
    await publish(jwt, [
      { topic: allowed, key: 'api-1', op: 'patch', data: { status: 'completed' } },
      { topic: 'open', key: 'web-1', op: 'patch', data: { status: 'failed' } },
    ]);
    await waitFor('both still live', () => (ok.items.get('api-1') as { status: string }).status === 'completed' && (open.items.get('web-1') as { status: string }).status === 'failed');
    expect(refused.getAttribute('phase')).to.equal('error');
    source.remove();
  });

  it('leader mode: a 403 drops only the refused selector, and another tab asking for it is told at once', async () => {
    const { jwt } = await relays();
    const allowed = uniqueTopic('mine');
    const denied = uniqueTopic('theirs');
    const reader = uniqueTopic('leader');
    const conn = getConnection({ relay: jwt, token: await mint({ sub: reader, topics: [allowed] }), worker: false });
    const { sub: ok, seen } = follow(conn, allowed);
    const refused = conn.subscribe(denied, () => {});
    // A second connection of the same reader (another token of its `sub`) joins the leader's stream, as another tab would.
    const follower = getConnection({ relay: jwt, token: await mint({ sub: reader, topics: [allowed], expiresIn: 900 }), worker: false });
    try {
      await waitFor('the refused selector errored', () => refused.phase === 'error');
      expect(conn.mode).to.equal('leader');
      expect(refused.error!.code).to.equal('forbidden');
      expect(refused.error!.message).to.contain(`the relay refused "${denied}"`);
      await waitFor('the other ready and open', () => ok.phase === 'ready' && conn.status.status === 'open');
      await publish(jwt, { topic: allowed, key: 'x', op: 'upsert', data: { n: 1 } });
      await waitFor('its event', () => seen.includes(1));
      const before = (await stats('jwt')).streamRequests;
      const asked = follower.subscribe(denied, () => {});
      await waitFor('the follower told the selector is refused', () => asked.phase === 'error');
      expect(follower.leading, 'the first connection leads').to.equal(false);
      expect(asked.error!.message).to.contain(`the relay refused "${denied}"`);
      await new Promise((r) => setTimeout(r, 300));
      expect((await stats('jwt')).streamRequests, 'no new stream request for a known refusal').to.equal(before);
    } finally {
      follower.close();
      refused.release();
      ok.release();
    }
  });

  it('the chart reads its series with the same token', async () => {
    const { jwt } = await relays();
    const key = uniqueTopic('coin');
    await publish(jwt, [1, 2, 3].map((i) => ({ topic: 'prices', key, op: 'upsert' as const, data: { high: 100 + i, low: 90 + i, ts: Math.floor(Date.now() / 1000) - 60 * (4 - i) } })));
    const token = await mint({ sub: uniqueTopic('trader'), topics: [`prices/${key}`] });
    // A token function as the source's property (an attribute can only hold a string).
    const source = await fixture<LiveSource>(html`
      <live-source relay=${jwt} .token=${async () => token}><live-price-chart topic="prices" key=${key} period="1h"></live-price-chart></live-source>
    `);
    const chart = source.querySelector<LivePriceChart>('live-price-chart')!;
    try {
      await waitFor('the chart ready with its history', () => chart.getAttribute('phase') === 'ready' && (chart.history?.t.length ?? 0) >= 3);
      expect(chart.error).to.equal(null);
    } finally {
      source.remove();
    }
  });
});
