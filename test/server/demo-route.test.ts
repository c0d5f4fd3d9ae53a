import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import express from 'express';
import { testConfig } from '../../server/config.js';
import { demoRoutes, DEMO_ORIGIN_PLACEHOLDER, type DemoInfo } from '../../server/routes/demo.js';

// The demo router alone on a real socket (listening on every interface, so a test can also call
// it from a non-loopback address of this machine).
const PUBLISH_TOKEN = 'publish-token-0123456789';
const SEQUIN_SECRET = 'sequin-secret-0123456789';
let server: Server;
let port = 0;

before(async () => {
  const app = express();
  app.use(demoRoutes({ config: testConfig({ PUBLISH_TOKEN, SEQUIN_WEBHOOK_SECRET: SEQUIN_SECRET, SEQUIN_TOPIC_MAP: ['yahoo_leagues:leagues'] }) }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** An address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
}

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

test('info.json shows the secrets to a direct loopback visitor', async () => {
  const info = (await (await fetch(`http://127.0.0.1:${port}/demo/info.json`)).json()) as DemoInfo;
  assert.equal(info.loopback, true);
  assert.equal(info.publish.auth, 'token');
  assert.equal(info.publish.token, PUBLISH_TOKEN);
  assert.equal(info.sequin.bearer, true);
  assert.equal(info.sequin.secret, SEQUIN_SECRET);
  assert.deepEqual(info.sequin.topicMap, ['yahoo_leagues:leagues']);
});

test('info.json hides the secrets from a request that came through a proxy', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/demo/info.json`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  const info = (await res.json()) as DemoInfo;
  assert.equal(info.loopback, false);
  assert.equal(info.publish.token, null);
  assert.equal(info.sequin.secret, null);
  assert.equal(info.publish.auth, 'token', 'the mode is still shown, only the value is hidden');
  assert.ok(!JSON.stringify(info).includes(PUBLISH_TOKEN));
});

test('info.json hides the secrets from a visitor on another address', async (t) => {
  const addr = externalAddress();
  if (!addr) return t.skip('this machine has no non-loopback IPv4 address');
  const text = await (await fetch(`http://${addr}:${port}/demo/info.json`)).text();
  const info = JSON.parse(text) as DemoInfo;
  assert.equal(info.loopback, false);
  assert.ok(!text.includes(PUBLISH_TOKEN) && !text.includes(SEQUIN_SECRET), 'no secret may reach a remote visitor');
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
