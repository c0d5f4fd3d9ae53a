import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SubscriberAuth } from '../../server/auth/subscriber-auth.js';
import { loadConfig } from '../../server/config.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';
import { mintToken, TEST_JWT_SECRET } from '../helpers/tokens.js';

// Issue 12, item 8. Subscriber tokens were checked for signature and `exp` only when present: a
// token minted without `exp` read forever, and a token for another service (another `aud`, another
// `iss`) signed with a shared key was accepted.

const relays: InProcessRelay[] = [];
let strict: InProcessRelay;
before(async () => {
  strict = await startRelay({ config: { SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: [], SUBSCRIBER_JWT_AUDIENCE: 'live-relay', SUBSCRIBER_JWT_ISSUER: 'https://app.example' } });
  relays.push(strict);
});
after(async () => {
  for (const r of relays) await r.close();
});

async function snapshot(url: string, token: string): Promise<{ status: number; message: string }> {
  const res = await fetch(`${url}/v1/topics/private`, { headers: { Authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { error?: { message: string } };
  return { status: res.status, message: body.error?.message ?? '' };
}

const good = { topics: ['private'], audience: 'live-relay', issuer: 'https://app.example' };

test('a token that names this relay\'s audience and issuer and expires may read', async () => {
  assert.equal((await snapshot(strict.url, await mintToken(good))).status, 200);
  assert.equal((await snapshot(strict.url, await mintToken({ ...good, audience: ['other', 'live-relay'] }))).status, 200, 'aud may be a list');
});

test('a token without exp is refused unless SUBSCRIBER_JWT_REQUIRE_EXP=0', async () => {
  const forever = await mintToken({ ...good, expiresIn: null });
  const refused = await snapshot(strict.url, forever);
  assert.equal(refused.status, 401);
  assert.match(refused.message, /no "exp" claim.*SUBSCRIBER_JWT_REQUIRE_EXP=0/);

  assert.equal(loadConfig({ SUBSCRIBER_JWT_REQUIRE_EXP: '0' }).SUBSCRIBER_JWT_REQUIRE_EXP, false);
  assert.equal(loadConfig({}).SUBSCRIBER_JWT_REQUIRE_EXP, true);
  const lenient = await startRelay({ config: { SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_TOPICS: [], SUBSCRIBER_JWT_REQUIRE_EXP: false } });
  relays.push(lenient);
  assert.equal((await snapshot(lenient.url, await mintToken({ topics: ['private'], expiresIn: null }))).status, 200);
});

test('SUBSCRIBER_JWT_AUDIENCE refuses a token for another audience, or none', async () => {
  for (const audience of ['another-service', undefined]) {
    const r = await snapshot(strict.url, await mintToken({ ...good, audience }));
    assert.equal(r.status, 401, String(audience));
    assert.match(r.message, /"aud".*SUBSCRIBER_JWT_AUDIENCE/);
  }
});

test('SUBSCRIBER_JWT_ISSUER refuses a token from another issuer, or none', async () => {
  for (const issuer of ['https://evil.example', undefined]) {
    const r = await snapshot(strict.url, await mintToken({ ...good, issuer }));
    assert.equal(r.status, 401, String(issuer));
    assert.match(r.message, /"iss".*SUBSCRIBER_JWT_ISSUER/);
  }
});

test('the start banner names the claim checks', () => {
  const described = new SubscriberAuth(loadConfig({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, SUBSCRIBER_JWT_AUDIENCE: 'live-relay', SUBSCRIBER_JWT_ISSUER: 'https://app.example' })).describe();
  assert.match(described, /readers: HS256 tokens, public: prices,leagues,rss,services,trades,games \(exp required; aud live-relay; iss https:\/\/app\.example\)$/);
  assert.match(new SubscriberAuth(loadConfig({ SUBSCRIBER_JWT_SECRET: TEST_JWT_SECRET, SUBSCRIBER_JWT_REQUIRE_EXP: 'false' })).describe(), /\(exp optional \(SUBSCRIBER_JWT_REQUIRE_EXP=0\)\)$/);
});

test('the streams check the same claims', async () => {
  const res = await fetch(`${strict.url}/v1/events?topics=private`, { headers: { Authorization: `Bearer ${await mintToken({ ...good, expiresIn: null })}` } });
  assert.equal(res.status, 401);
  await res.body?.cancel();
});

test('the README writes down the default PUBLIC_TOPICS once JWT is on', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Security model'));
  assert.ok(readme.includes('## Security model'), 'the README has a Security model section');
  const defaults = loadConfig({}).PUBLIC_TOPICS.join(',');
  assert.ok(section.includes(`\`${defaults}\``), `the Security model section names the default PUBLIC_TOPICS \`${defaults}\``);
});
