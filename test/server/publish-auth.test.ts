import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import express from 'express';
import { testConfig } from '../helpers/config.js';
import { isLoopback } from '../../server/identity.js';
import { requirePublisher, secretsEqual } from '../../server/publish-auth.js';

test('isLoopback: 127.0.0.0/8 and ::1, also IPv4-mapped; nothing else', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
  for (const a of ['10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', '128.0.0.1', '', undefined, '127.0.0.1.evil']) assert.ok(!isLoopback(a), String(a));
});

test('secretsEqual compares whole secrets of any length', () => {
  assert.ok(secretsEqual('same-secret', 'same-secret'));
  assert.ok(!secretsEqual('same-secret', 'same-secreT'));
  assert.ok(!secretsEqual('short', 'short-but-longer'));
});

test('without PUBLISH_TOKEN a caller from another address gets 403', async () => {
  const app = express();
  // The relay sees the peer address of the socket; stand in a remote one for this request.
  app.use((req, _res, next) => {
    if (req.get('x-test-remote')) Object.defineProperty(req.socket, 'remoteAddress', { value: req.get('x-test-remote'), configurable: true });
    next();
  });
  app.post('/p', requirePublisher(testConfig()), (_req, res) => {
    res.json({ ok: true });
  });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/p`;
  try {
    assert.equal((await fetch(url, { method: 'POST', headers: { Connection: 'close' } })).status, 200);
    const remote = await fetch(url, { method: 'POST', headers: { 'x-test-remote': '203.0.113.9', Connection: 'close' } });
    assert.equal(remote.status, 403);
    assert.match((await remote.json()).error.message, /PUBLISH_TOKEN/);
    // A proxy on this machine (nginx in front of the relay) connects from loopback: what it relays
    // comes from elsewhere and must not publish.
    for (const header of [{ 'X-Forwarded-For': '203.0.113.9' }, { Forwarded: 'for=203.0.113.9' }, { 'X-Real-IP': '203.0.113.9' }] as Record<string, string>[]) {
      const proxied = await fetch(url, { method: 'POST', headers: { ...header, Connection: 'close' } });
      assert.equal(proxied.status, 403, JSON.stringify(header));
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
