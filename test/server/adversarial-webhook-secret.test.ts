import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ConfigError, loadConfig } from '../../server/config.js';
import { verifyWebhook } from '../../server/webhooks/webhook-auth.js';
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

test('an empty or short key verifies nothing, even when given in code past the configuration', () => {
  const body = Buffer.from('{"data":[]}');
  const ts = String(Math.floor(Date.now() / 1000));
  // What anyone can compute for `whsec_=`: the HMAC under an empty key.
  const forged = createHmac('sha256', Buffer.alloc(0)).update(`msg_1.${ts}.`).update(body).digest('base64');
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': ts, 'webhook-signature': `v1,${forged}` };
  const empty = verifyWebhook(headers, body, { standardSecret: 'whsec_=' });
  assert.equal(empty.ok, false);
  assert.match(empty.ok ? '' : empty.message, /WEBHOOK_SECRET must hold a key of at least 16 bytes/);
  const short = verifyWebhook({ authorization: 'Bearer short' }, body, { sequinSecret: 'short' });
  assert.equal(short.ok, false);
  assert.match(short.ok ? '' : short.message, /SEQUIN_WEBHOOK_SECRET must hold a key of at least 16 bytes/);
  // A proper key still verifies.
  const key = Buffer.alloc(16, 7);
  const signed = createHmac('sha256', key).update(`msg_1.${ts}.`).update(body).digest('base64');
  assert.equal(verifyWebhook({ ...headers, 'webhook-signature': `v1,${signed}` }, body, { standardSecret: `whsec_${key.toString('base64')}` }).ok, true);
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
