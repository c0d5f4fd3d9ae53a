import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBus } from '../../server/bus/create-bus.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { testConfig } from '../helpers/config.js';
import { startRedis, type PrivateRedis } from '../helpers/redis-server.js';

// Bus selection: memory without REDIS_URL, Redis with it; bad Redis settings stop the relay at start.

let redis: PrivateRedis;

before(async () => {
  redis = await startRedis();
});

after(async () => {
  await redis.stop();
});

test('createBus: memory without REDIS_URL, redis with it, keys under REDIS_PREFIX', async () => {
  const memory = await createBus(testConfig());
  assert.equal(memory.kind, 'memory');
  await memory.close();

  const config = testConfig({ REDIS_URL: redis.url, REDIS_PREFIX: 'sel:' });
  const one = await createBus(config);
  const two = await createBus(config);
  try {
    assert.equal(one.kind, 'redis');
    assert.equal(one.isReady(), true);
    const { events } = await one.append([{ topic: 't', key: 'k', op: 'upsert', data: 1 }]);
    assert.deepEqual(await two.snapshot('t'), { topic: 't', lastEventId: events[0].id, items: { k: 1 } }, 'same prefix, same log');
    const other = await createBus({ ...config, REDIS_PREFIX: 'other:' });
    assert.equal(await other.lastId(), null, 'another prefix is another log');
    await other.close();
  } finally {
    await one.close();
    await two.close();
  }
});

test('REDIS_URL and REDIS_PREFIX are validated, naming the variable and what it accepts', () => {
  assert.equal(loadConfig({}).REDIS_PREFIX, 'live:');
  assert.equal(loadConfig({}).REDIS_URL, undefined);
  assert.throws(() => loadConfig({ REDIS_URL: 'localhost:6379' }), (err: Error) => err instanceof ConfigError && /REDIS_URL="localhost:6379": must be a redis:\/\/ or rediss:\/\/ URL/.test(err.message));
  assert.throws(() => loadConfig({ REDIS_PREFIX: 'has space' }), (err: Error) => err instanceof ConfigError && /REDIS_PREFIX="has space": must be 1-64 characters/.test(err.message));
  assert.throws(
    () => loadConfig({ REDIS_URL: 'tcp://admin:s3cret@cache.example:6379' }),
    (err: Error) => err instanceof ConfigError && err.message.includes('tcp://***@cache.example:6379') && !err.message.includes('s3cret'),
    'credentials in a bad URL are not echoed',
  );
  assert.equal(loadConfig({ REDIS_URL: 'rediss://user:pw@cache.example:6380/2' }).REDIS_URL, 'rediss://user:pw@cache.example:6380/2');
});
