import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ConfigError, loadConfig } from '../../server/config.js';
import { SpawnError, spawnRelay, startRelay, type InProcessRelay } from '../helpers/relay.js';

// Issue 12, item 7. `WEBHOOK_SECRET=whsec_=` (an empty HMAC key) was accepted, so anyone could
// sign a delivery. The bearer and Sequin-Signature schemes carry no timestamp: what stops a
// replayed delivery is the idempotency dedupe, for DEDUPE_TTL_MS.

const whsec = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;

test('a Standard Webhooks key under 16 bytes is refused, naming WEBHOOK_SECRET', () => {
  for (const secret of ['whsec_=', 'whsec_AA==', whsec(15)]) {
    assert.throws(() => loadConfig({ WEBHOOK_SECRET: secret }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /WEBHOOK_SECRET=\(hidden\): its key \(the base64 after whsec_\) must decode to at least 16 bytes/);
      return true;
    }, secret);
  }
  assert.equal(loadConfig({ WEBHOOK_SECRET: whsec(16) }).WEBHOOK_SECRET, whsec(16));
});

test('a Sequin key under 16 bytes is refused, naming SEQUIN_WEBHOOK_SECRET', () => {
  assert.throws(() => loadConfig({ SEQUIN_WEBHOOK_SECRET: 'fifteen-bytes!!' }), /SEQUIN_WEBHOOK_SECRET=\(hidden\): must be at least 16 bytes/);
  assert.equal(loadConfig({ SEQUIN_WEBHOOK_SECRET: 'sixteen-bytes!!!' }).SEQUIN_WEBHOOK_SECRET, 'sixteen-bytes!!!');
});

test('the relay does not start with an empty WEBHOOK_SECRET key', async () => {
  const err = await spawnRelay({ WEBHOOK_SECRET: 'whsec_=' }).then(
    async (r) => {
      await r.kill();
      return null;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof SpawnError, 'the relay must not start');
  assert.match(err.output, /WEBHOOK_SECRET=\(hidden\): its key/);
  assert.ok(!err.output.includes('whsec_='), 'the secret is not echoed');
});

const relays: InProcessRelay[] = [];
after(async () => {
  for (const r of relays) await r.close();
});

test('DEDUPE_TTL_MS defaults to a week: Sequin retries an unacknowledged delivery indefinitely', () => {
  assert.ok(loadConfig({}).DEDUPE_TTL_MS >= 7 * 24 * 3600 * 1000, `DEDUPE_TTL_MS defaults to ${loadConfig({}).DEDUPE_TTL_MS} ms`);
});

test('a replayed bearer or Sequin-Signature delivery is acknowledged and not applied again', async () => {
  const secret = 'sequin-secret-0123456789';
  const r = await startRelay({ config: { SEQUIN_WEBHOOK_SECRET: secret } });
  relays.push(r);
  const body = JSON.stringify({ record: { id: 'a', v: 1 }, changes: null, action: 'insert', metadata: { table_name: 'notes', idempotency_key: 'delivery-1' } });
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  const answers = [];
  const schemes: Array<Record<string, string>> = [{ authorization: `Bearer ${secret}` }, { 'sequin-signature': signature }, { authorization: `Bearer ${secret}` }];
  for (const auth of schemes) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...auth };
    const res = await fetch(`${r.url}/v1/webhooks/sequin`, { method: 'POST', headers, body });
    answers.push(await res.json());
  }
  assert.equal(answers[0].ids.length, 1);
  assert.deepEqual(answers.slice(1), [{ ids: [], duplicates: 1 }, { ids: [], duplicates: 1 }]);
});
