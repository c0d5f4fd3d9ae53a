import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportSPKI, generateKeyPair } from 'jose';
import { ConfigError, loadConfig } from '../../server/config.js';
import { SubscriberAuth } from '../../server/auth/subscriber-auth.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';

/** Key handling and configuration of subscriber authorization (no HTTP needed: the verifier itself). */
describe('subscriber token keys and configuration', () => {
  for (const alg of ['RS256', 'ES256'] as const) {
    test(`${alg}: the algorithm comes from SUBSCRIBER_JWT_PUBLIC_KEY; tokens of other keys or algorithms are refused`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const pem = await exportSPKI(publicKey);
      const auth = new SubscriberAuth({ SUBSCRIBER_JWT_PUBLIC_KEY: pem, PUBLIC_TOPICS: [] });
      assert.match(auth.describe(), new RegExp(`readers: ${alg} tokens, public: none`));
      const good = await mintToken({ sub: 'u1', topics: ['orders'], key: privateKey, alg });
      const ok = await auth.authorize(good, [{ topic: 'orders' }]);
      assert.equal(ok.ok, true);
      assert.equal(ok.ok && ok.reader?.sub, 'u1');

      const other = await generateKeyPair(alg);
      const forged = await mintToken({ sub: 'u1', topics: ['orders'], key: other.privateKey, alg });
      assert.equal((await auth.authorize(forged, [{ topic: 'orders' }])).ok, false);
      // The classic confusion: an HS256 token keyed with the public key's text.
      const confused = await mintToken({ sub: 'u1', topics: ['orders'], key: pem, alg: 'HS256' });
      const refused = await auth.authorize(confused, [{ topic: 'orders' }]);
      assert.equal(refused.ok, false);
      assert.match(!refused.ok ? refused.message : '', new RegExp(`use ${alg}`));
    });
  }

  test('a PEM with \\n escapes (one env line) is accepted', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const oneLine = (await exportSPKI(publicKey)).trim().replaceAll('\n', '\\n');
    const config = loadConfig({ SUBSCRIBER_JWT_PUBLIC_KEY: oneLine });
    assert.match(new SubscriberAuth(config).describe(), /ES256/);
  });

  test('a bad public key or PUBLIC_TOPICS entry stops the relay naming the variable', () => {
    assert.throws(() => loadConfig({ SUBSCRIBER_JWT_PUBLIC_KEY: 'not a key' }), (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /SUBSCRIBER_JWT_PUBLIC_KEY=\(hidden\): must be a PEM public key/);
      return true;
    });
    assert.throws(() => loadConfig({ PUBLIC_TOPICS: 'prices,Bad Topic' }), /PUBLIC_TOPICS="prices,Bad Topic": use `\*` or topics/);
  });

  test('PUBLIC_TOPICS defaults to the demo feeds once a key is set; without a key every topic is public', async () => {
    const defaults = loadConfig({});
    assert.deepEqual(defaults.PUBLIC_TOPICS, ['prices', 'leagues', 'rss', 'services', 'trades', 'games']);
    const open = new SubscriberAuth(defaults);
    assert.equal(open.enabled, false);
    assert.deepEqual(await open.authorize(null, [{ topic: 'anything' }]), { ok: true, reader: null });

    const guarded = new SubscriberAuth(loadConfig({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET }));
    assert.match(guarded.describe(), /HS256 tokens, public: prices,leagues,rss,services,trades,games/);
    assert.equal((await guarded.authorize(null, [{ topic: 'games' }, { topic: 'services', key: 'api-1' }])).ok, true);
    assert.equal((await guarded.authorize(null, [{ topic: 'notifications', key: 'u1' }])).ok, false);
    const all = new SubscriberAuth(loadConfig({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: '*' }));
    assert.equal((await all.authorize(null, [{ topic: 'notifications' }])).ok, true);
  });

  test('a public key-level selector opens one key only', async () => {
    const auth = new SubscriberAuth({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: ['services/status-page'] });
    assert.equal((await auth.authorize(null, [{ topic: 'services', key: 'status-page' }])).ok, true);
    assert.equal((await auth.authorize(null, [{ topic: 'services' }])).ok, false);
  });
});
