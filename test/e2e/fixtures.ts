import type { EventInput } from '../../src/core/wire.js';

/** Data for every element of the demo dashboard, for tests that run without the simulator. */
export function demoSeed(now = Date.now()): EventInput[] {
  const ts = Math.floor(now / 1000);
  const events: EventInput[] = [];
  for (const [key, name, base] of [['4151', 'Abyssal whip', 1_500_000], ['536', 'Dragon bones', 2_400], ['13190', 'Old school bond', 9_000_000]] as const) {
    // A minute of points, so each chart has a line to draw.
    for (let i = 60; i >= 0; i -= 5) {
      const wobble = Math.round(base * 0.01 * Math.sin(i));
      events.push({ topic: 'prices', key, op: 'upsert', data: { name, high: base + wobble + 50, low: base + wobble - 50, ts: ts - i } });
    }
  }
  events.push({
    topic: 'leagues',
    key: 'premier',
    op: 'upsert',
    data: {
      name: 'Premier Division',
      season: '2026',
      teams: [
        { id: 't1', rank: 1, name: 'Harbor City', wins: 5, losses: 1 },
        { id: 't2', rank: 2, name: 'North Vale', wins: 3, losses: 3 },
        { id: 't3', rank: 3, name: 'Old Mill', wins: 1, losses: 5 },
      ],
    },
  });
  const iso = new Date(now).toISOString();
  events.push(
    { topic: 'services', key: 'ingest', op: 'upsert', data: { name: 'Ingest pipeline', status: 'running', progress: 40, queued: 60, processed: 40, updatedAt: iso } },
    { topic: 'services', key: 'billing', op: 'upsert', data: { name: 'Billing run', status: 'completed', progress: 100, updatedAt: iso } },
  );
  for (let i = 1; i <= 3; i++) {
    events.push({ topic: 'rss', key: 'demo', op: 'append', data: { id: `seed-${i}`, title: `Seed headline ${i}`, link: `https://example.com/${i}`, published: iso, source: 'Seed wire' } });
  }
  return events;
}

/** One RSS item for topic `rss`, key `demo`, numbered so a gap or a double is visible. */
export function numberedItem(n: number): EventInput {
  return {
    topic: 'rss',
    key: 'demo',
    op: 'append',
    data: { id: `n-${n}`, title: `Numbered headline ${n}`, link: `https://example.com/n/${n}`, published: new Date().toISOString(), source: 'Test wire' },
  };
}
