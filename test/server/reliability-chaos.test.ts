import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { publish, startRelay, type InProcessRelay } from '../helpers/relay.js';
import { ResumingClient } from '../helpers/resuming-client.js';
import { soakNumber } from '../helpers/soak-env.js';
import { waitUntil } from '../helpers/wait.js';
import type { EventInput, TopicSnapshot } from '../../src/core/wire.js';

// Chaos: events flow over several topics while 10% of the clients are dropped every second. Each
// resumes with Last-Event-ID. At the end every client, per topic, saw exactly the published
// sequence (0 lost, 0 duplicated) or was sent `reset` and re-synced to a snapshot equal to the
// relay's. Some dropped clients stay away until more than HISTORY_SIZE events passed, so both
// outcomes happen. `npm run soak` runs it with bigger numbers.

const CLIENTS = soakNumber('CHAOS_CLIENTS', 40);
const EVENTS = soakNumber('CHAOS_EVENTS', 2000);
const TOPICS = soakNumber('CHAOS_TOPICS', 4);
const RATE = soakNumber('CHAOS_RATE', 500); // events per second
const HISTORY = soakNumber('CHAOS_HISTORY', 300);
const BATCH = 20;
const LIST_LIMIT = 50;

let relay: InProcessRelay | undefined;
const clients: ResumingClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await relay?.close();
});

/** A small seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The n-th event of a topic: mostly upserts, with patches, deletes and appends mixed in. */
function eventAt(topic: string, n: number): EventInput {
  const key = `k${(n * 7) % 8}`;
  switch (n % 10) {
    case 6:
    case 7:
      return { topic, key, op: 'patch', data: { seq: n, patched: true } };
    case 8:
      return { topic, key: 'log', op: 'append', data: { seq: n } };
    case 9:
      return { topic, key, op: 'delete' };
    default:
      return { topic, key, op: 'upsert', data: { seq: n, pad: 'x'.repeat(n % 50) } };
  }
}

test(`chaos: ${CLIENTS} clients, ${EVENTS} events over ${TOPICS} topics, 10% dropped every second`, { timeout: 600_000 }, async () => {
  relay = await startRelay({ config: { HISTORY_SIZE: HISTORY, LIST_LIMIT, MAX_CLIENTS_PER_IDENTITY: CLIENTS * 2 } });
  const url = relay.url;
  const topics = Array.from({ length: TOPICS }, (_, i) => `chaos-${i}`);
  const rnd = random(Number(process.env.CHAOS_SEED ?? 7));
  for (let i = 0; i < CLIENTS; i++) clients.push(new ResumingClient({ url, topics, listLimit: LIST_LIMIT }));
  await Promise.all(clients.map((c) => c.connect()));

  const published = new Map<string, string[]>(topics.map((t) => [t, []]));
  let sent = 0;
  let publishing = true;
  let drops = 0;
  let longDrops = 0;
  /** Resolves once `count` more events were published (or publishing ended). */
  const afterEvents = (count: number) => {
    const target = sent + count;
    return waitUntil(() => sent >= target || !publishing, 'events to pass while away', 600_000, 20);
  };
  const dropper = setInterval(() => {
    const online = clients.filter((c) => c.online);
    const n = Math.max(1, Math.round(CLIENTS * 0.1));
    for (let i = 0; i < n && online.length > 0; i++) {
      const c = online.splice(Math.floor(rnd() * online.length), 1)[0];
      drops++;
      if (i === 0) {
        longDrops++;
        c.drop(() => afterEvents(HISTORY + BATCH * 3));
      } else {
        const ms = Math.floor(rnd() * 300);
        c.drop(() => new Promise((r) => setTimeout(r, ms)));
      }
    }
  }, 1000);

  try {
    const started = Date.now();
    for (let b = 0; sent < EVENTS; b++) {
      const batch: EventInput[] = [];
      for (let i = 0; i < BATCH && sent + i < EVENTS; i++) {
        const n = sent + i;
        batch.push(eventAt(topics[n % TOPICS], Math.floor(n / TOPICS)));
      }
      const res = await publish(url, batch);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      res.body.ids.forEach((id: string, i: number) => published.get(batch[i].topic)!.push(id));
      sent += batch.length;
      const due = started + (sent / RATE) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  } finally {
    publishing = false;
    clearInterval(dropper);
  }

  const last = await relay.ctx.bus.lastId();
  await waitUntil(() => clients.every((c) => c.online && c.lastEventId === last), 'every client to catch up with the last event', 120_000, 50);
  await Promise.all(clients.map((c) => c.close()));

  const snapshots = new Map<string, TopicSnapshot>();
  for (const t of topics) snapshots.set(t, await (await fetch(`${url}/v1/topics/${t}`)).json());

  let exact = 0;
  let resynced = 0;
  let resets = 0;
  let reconnects = 0;
  for (const [ci, c] of clients.entries()) {
    reconnects += c.connects - 1;
    for (const t of topics) {
      const view = c.views.get(t)!;
      const expectedState = snapshots.get(t)!.items;
      assert.deepEqual(Object.fromEntries(view.state), expectedState, `client ${ci}, topic ${t}: state differs from the relay's snapshot`);
      if (view.resets === 0) {
        // No reset means nothing may be missing or repeated, in order.
        assert.deepEqual(view.ids, published.get(t), `client ${ci}, topic ${t}: received ids differ from the published ones without a reset`);
        exact++;
      } else {
        resets += view.resets;
        resynced++;
      }
    }
  }
  console.log(
    `chaos: ${CLIENTS} clients x ${TOPICS} topics, ${sent} events, ${drops} drops (${longDrops} past the history), ${reconnects} reconnects; ` +
      `${exact} client-topics exact (0 lost, 0 duplicated), ${resynced} re-synced after ${resets} resets`,
  );
  assert.ok(drops > 0, 'the run was too short to drop anyone');
  assert.equal(exact + resynced, CLIENTS * TOPICS);
  assert.ok(exact > 0, 'no client kept an exact sequence: resume does not work');
  assert.ok(resynced > 0, 'clients away past the history were not reset');
});
