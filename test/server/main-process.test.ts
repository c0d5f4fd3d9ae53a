import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStream, spawnRelay, SpawnError } from '../helpers/relay.js';
import { waitUntil } from '../helpers/wait.js';

test('the relay process prints one banner, serves, and on SIGTERM tells streams and exits 0', async () => {
  const relay = await spawnRelay();
  try {
    assert.match(relay.output(), /^live-elements relay listening on http:\/\/127\.0\.0\.1:\d+ \(mode: production \(no demo pages; DEMO=1 adds them\), bus: memory, publish: callers on this machine without a token \(PUBLISH_ALLOW_LOOPBACK=1/m);
    assert.equal((await fetch(`${relay.url}/healthz`)).status, 200);
    const s = await openStream(relay.url, { topics: 'prices' });
    await s.waitFor((f) => f.some((x) => x.event === 'connected'), 5000, 'connected');
    const code = await relay.stop();
    assert.equal(code, 0);
    await s.ended;
    const timeout = s.frames.find((f) => f.event === 'timeout');
    assert.deepEqual(timeout?.json, { reason: 'shutdown' });
    await assert.rejects(fetch(`${relay.url}/healthz`), 'it no longer accepts connections');
  } finally {
    await relay.kill();
  }
});

test('SIGINT (Ctrl-C) sent the moment the banner appears stops the relay cleanly: exit code 0', async () => {
  // The banner is printed only once the signal handlers are in place, so a supervisor that
  // signals as soon as it reads the banner never kills the process mid-way.
  for (let i = 0; i < 3; i++) {
    const relay = await spawnRelay();
    try {
      assert.equal(await relay.stop(10_000, 'SIGINT'), 0);
    } finally {
      await relay.kill();
    }
  }
});

test('a bad variable stops the relay with a message naming it', async () => {
  const err = await spawnRelay({ PORT: 'eighty' }).then(
    (r) => {
      void r.kill();
      return null;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof SpawnError, 'the relay must not start');
  assert.notEqual(err.code, 0);
  assert.match(err.output, /PORT="eighty": must be a whole number/);
});

test('PUBLIC_TOPICS without a key to verify tokens starts with a warning that it does nothing', async () => {
  const warning = /PUBLIC_TOPICS is set but does nothing: every topic is public until SUBSCRIBER_JWT_SECRET or SUBSCRIBER_JWT_PUBLIC_KEY is set/;
  const open = await spawnRelay({ PUBLIC_TOPICS: 'prices' });
  try {
    // pino writes the warning on its own schedule: it may reach the pipe just after the banner.
    await waitUntil(() => warning.test(open.output()), 'the PUBLIC_TOPICS warning', 5000).catch(() => {});
    assert.match(open.output(), warning);
    // And it is true: a topic outside PUBLIC_TOPICS is readable without a token.
    const s = await openStream(open.url, { topics: 'secrets' });
    assert.equal(s.status, 200);
    s.close();
  } finally {
    await open.kill();
  }
  const guarded = await spawnRelay({ PUBLIC_TOPICS: 'prices', SUBSCRIBER_JWT_SECRET: 'a-subscriber-secret-of-32-characters!' });
  try {
    assert.doesNotMatch(guarded.output(), warning);
    assert.match(guarded.output(), /readers: HS256 tokens, public: prices/);
  } finally {
    await guarded.kill();
  }
});
