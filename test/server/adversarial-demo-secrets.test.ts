import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../server/config.js';
import { publish, spawnRelay, startRelay, type InProcessRelay } from '../helpers/relay.js';

// Issue 12, item 5. Loopback is not an identity: behind a front end on the same host that adds no
// forwarding header (nginx proxy_pass without proxy_set_header, ssh -L, socat, kubectl
// port-forward) every visitor is loopback. The demo routes were mounted in production too, and
// /demo/info.json handed such a visitor PUBLISH_TOKEN and the webhook secret.

const PUBLISH_TOKEN = 'publish-token-0123456789';
const SEQUIN_SECRET = 'sequin-secret-from-env-0123456789';
const relays: InProcessRelay[] = [];
const relay = async (config: Partial<Config>) => {
  const r = await startRelay({ config });
  relays.push(r);
  return r;
};
after(async () => {
  for (const r of relays) await r.close();
});

test('outside the demo there are no demo routes', async () => {
  const r = await relay({ PUBLISH_TOKEN, SEQUIN_WEBHOOK_SECRET: SEQUIN_SECRET });
  for (const path of ['/', '/index.html', '/cms.html', '/drive.html', '/drive.js', '/demo/info.json']) {
    const res = await fetch(`${r.url}${path}`);
    assert.equal(res.status, 404, path);
    const text = await res.text();
    assert.ok(!text.includes(PUBLISH_TOKEN) && !text.includes(SEQUIN_SECRET), path);
  }
});

test('in the demo, info.json never returns a secret set in the environment; it says where it is', async () => {
  const r = await relay({ DEMO: true, PUBLISH_TOKEN, SEQUIN_WEBHOOK_SECRET: SEQUIN_SECRET });
  const res = await fetch(`${r.url}/demo/info.json`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const info = JSON.parse(text);
  assert.equal(info.loopback, true, 'this is a direct loopback visitor, the one who got the secrets before');
  assert.ok(!text.includes(PUBLISH_TOKEN), 'PUBLISH_TOKEN must not be returned');
  assert.ok(!text.includes(SEQUIN_SECRET), 'SEQUIN_WEBHOOK_SECRET from the environment must not be returned');
  assert.equal(info.publish.tokenEnv, 'PUBLISH_TOKEN');
  assert.equal(info.sequin.secretEnv, 'SEQUIN_WEBHOOK_SECRET');
  assert.equal(info.sequin.secretSource, 'environment');
});

test('outside the demo, publishing needs PUBLISH_TOKEN unless PUBLISH_ALLOW_LOOPBACK opts in', async () => {
  const closed = await relay({ PUBLISH_ALLOW_LOOPBACK: false });
  const refused = await publish(closed.url, { topic: 'notes', key: 'k', op: 'upsert', data: {} });
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.match(refused.body.error.message, /PUBLISH_TOKEN/);
  assert.match(refused.body.error.message, /PUBLISH_ALLOW_LOOPBACK=1/);
  assert.equal(await closed.ctx.bus.lastId(), null);

  const optedIn = await relay({ PUBLISH_ALLOW_LOOPBACK: true });
  assert.equal((await publish(optedIn.url, { topic: 'notes', key: 'k', op: 'upsert', data: {} })).status, 200);
  const demo = await relay({ DEMO: true, PUBLISH_ALLOW_LOOPBACK: false });
  assert.equal((await publish(demo.url, { topic: 'notes', key: 'k', op: 'upsert', data: {} })).status, 200, 'the demo publishes from loopback');
});

test('the start banner says plainly which mode runs and who may publish', async () => {
  const production = await spawnRelay({ PUBLISH_ALLOW_LOOPBACK: '0' });
  try {
    assert.match(production.output(), /listening on \S+ \(mode: production \(no demo pages; DEMO=1 adds them\), bus: memory, publish: off \(set PUBLISH_TOKEN/);
  } finally {
    await production.stop();
  }
  const demo = await spawnRelay({ DEMO: '1', PUBLISH_ALLOW_LOOPBACK: '0' });
  try {
    assert.match(demo.output(), /listening on (\S+) \(mode: DEMO, not for production \(the dashboard at \1\/, \/cms\.html, \/drive\.html\), bus: memory, publish: callers on this machine without a token \(the demo;/);
    assert.equal((await fetch(`${demo.url}/drive.html`)).status, 200);
  } finally {
    await demo.stop();
  }
});
