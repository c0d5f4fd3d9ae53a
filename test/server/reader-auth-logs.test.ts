import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStream, spawnRelay, type SpawnedRelay } from '../helpers/relay.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';

let relay: SpawnedRelay | undefined;
after(async () => {
  await relay?.stop();
});

test('subscriber tokens never appear in the relay log, from any source, accepted or refused', async () => {
  relay = await spawnRelay({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: 'prices', LOG_LEVEL: 'trace', MAX_LIFETIME_MS: '1000' });
  const good = await mintToken({ sub: 'u-log', topics: ['orders'] });
  const narrow = await mintToken({ sub: 'u-log', topics: ['other'] });
  const expired = await mintToken({ sub: 'u-log', topics: ['orders'], expiresIn: -10 });
  const tokens = [good, narrow, expired];
  const sources = (t: string): Array<{ headers?: Record<string, string>; query?: Record<string, string> }> => [{ headers: { Authorization: `Bearer ${t}` } }, { headers: { Cookie: `live_token=${t}` } }, { query: { token: t } }];
  for (const t of tokens) {
    for (const src of sources(t)) {
      const s = await openStream(relay.url, { topics: 'orders', ...src });
      s.close();
      await fetch(`${relay.url}/v1/topics/orders?${new URLSearchParams(src.query ?? {})}`, { headers: src.headers });
      await fetch(`${relay.url}/v1/series/orders/x?${new URLSearchParams(src.query ?? {})}`, { headers: src.headers });
    }
  }
  // A stream that lives until its lifetime ends, so the close path logs too.
  const s = await openStream(relay.url, { topics: 'orders', query: { token: good } });
  await s.ended;
  await relay.stop();
  const out = relay.output();
  // The log did record these requests (so the check below has something to look at)...
  assert.match(out, /"msg":"reader refused"/);
  assert.match(out, /"msg":"reader authorized"/);
  assert.match(out, /"sub":"u-log"/);
  // ...and no token, nor its signature alone, nor its payload.
  for (const t of tokens) {
    for (const part of [t, ...t.split('.').slice(1)]) assert.ok(!out.includes(part), 'a token (or part of one) reached the log');
  }
});
