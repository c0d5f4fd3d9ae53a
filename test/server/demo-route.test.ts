import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { testConfig } from '../helpers/config.js';
import { demoRoutes, DEMO_ORIGIN_PLACEHOLDER, type DemoInfo } from '../../server/routes/demo.js';
import { serveWithPeer } from '../helpers/peer-address.js';

// The demo router alone on a real socket, as `npm start` runs it: the webhook secret generated for
// the session (DEMO_GENERATED_SECRET), which a loopback visitor may see.
const PUBLISH_TOKEN = 'publish-token-0123456789';
const SEQUIN_SECRET = 'sequin-secret-0123456789';
const config = testConfig({ DEMO: true, PUBLISH_TOKEN, SEQUIN_WEBHOOK_SECRET: SEQUIN_SECRET, DEMO_GENERATED_SECRET: true, SEQUIN_TOPIC_MAP: ['yahoo_leagues:leagues'] });
let server: Server;
let port = 0;

before(async () => {
  const app = express();
  app.use(demoRoutes({ config }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('the dashboard is served at / with the script tag of the kit', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  const html = await res.text();
  assert.match(html, /<script src="\/live-elements\.js" data-relay="\/"/);
  for (const tag of ['live-indicator', 'live-price-chart', 'league-standings', 'rss-feed', 'service-status']) {
    assert.match(html, new RegExp(`<${tag}[\\s>]`), `the dashboard should use <${tag}>`);
  }
});

test('the CMS page points at the relay the visitor used, not at the placeholder', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/cms.html`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(!html.includes(DEMO_ORIGIN_PLACEHOLDER), 'the placeholder origin should be replaced');
  assert.match(html, new RegExp(`<script src="http://127\\.0\\.0\\.1:${port}/live-elements\\.js" data-relay="http://127\\.0\\.0\\.1:${port}"`));
});

test('a Host header that is not a plain host:port leaves the placeholder in place', async () => {
  const { request } = await import('node:http');
  const html = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/cms.html', headers: { host: 'evil.example"><script>' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
  assert.ok(html.includes(`data-relay="${DEMO_ORIGIN_PLACEHOLDER}"`));
  assert.ok(!html.includes('evil.example'));
});

test('info.json shows the session\'s generated secret to a direct loopback visitor, never PUBLISH_TOKEN', async () => {
  const text = await (await fetch(`http://127.0.0.1:${port}/demo/info.json`)).text();
  const info = JSON.parse(text) as DemoInfo;
  assert.equal(info.loopback, true);
  assert.equal(info.publish.auth, 'token');
  assert.equal(info.publish.tokenEnv, 'PUBLISH_TOKEN');
  assert.ok(!text.includes(PUBLISH_TOKEN), 'a token from the environment is never shown');
  assert.equal(info.sequin.bearer, true);
  assert.equal(info.sequin.secret, SEQUIN_SECRET);
  assert.equal(info.sequin.secretSource, 'session');
  assert.deepEqual(info.sequin.topicMap, ['yahoo_leagues:leagues']);
});

test('info.json hides the secrets from a request that came through a proxy', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/demo/info.json`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  const info = (await res.json()) as DemoInfo;
  assert.equal(info.loopback, false);
  assert.equal(info.sequin.secret, null);
  assert.equal(info.publish.auth, 'token', 'the mode is still shown, only the value is hidden');
  assert.ok(!JSON.stringify(info).includes(PUBLISH_TOKEN));
});

test('info.json hides the secrets from a visitor on another address', async () => {
  // Real sockets whose peer the relay reads as 203.0.113.9 (and as an IPv6 address, and as a
  // loopback one for contrast), with an ordinary loopback Host: only the peer decides here.
  const app = express();
  app.use(demoRoutes({ config }));
  for (const [peer, loopback] of [['203.0.113.9', false], ['::ffff:198.51.100.7', false], ['2001:db8::5', false], ['127.0.0.1', true]] as const) {
    const remote = await serveWithPeer(app, () => peer);
    try {
      const text = await (await fetch(`${remote.url}/demo/info.json`)).text();
      const info = JSON.parse(text) as DemoInfo;
      assert.equal(info.loopback, loopback, peer);
      assert.equal(text.includes(SEQUIN_SECRET), loopback, `the session secret reaches ${peer}: ${loopback}`);
      assert.ok(!text.includes(PUBLISH_TOKEN), peer);
    } finally {
      await remote.close();
    }
  }
});

test('without secrets the drive page is told publishing is loopback-only and the webhook is off', async () => {
  const app = express();
  app.use(demoRoutes({ config: testConfig() }));
  const s = createServer(app);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  try {
    const p = (s.address() as { port: number }).port;
    const info = (await (await fetch(`http://127.0.0.1:${p}/demo/info.json`)).json()) as DemoInfo;
    assert.equal(info.publish.auth, 'loopback');
    assert.equal(info.sequin.bearer, false);
    assert.equal(info.sequin.standardWebhooks, false);
  } finally {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});
