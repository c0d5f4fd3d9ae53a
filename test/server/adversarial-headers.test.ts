import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFrom } from '../helpers/raw-http.js';
import { waitUntil } from '../helpers/wait.js';
import { startRelay, type InProcessRelay } from '../helpers/relay.js';

// Issue 12, item 12. Responses carried no `X-Content-Type-Options: nosniff` (a browser may sniff a
// JSON answer into a script or a page), the demo pages no CSP and could be framed (clickjacking
// the drive page's send buttons), and /metrics was open to anyone.

const METRICS_TOKEN = 'metrics-token-0123456789';
const kitDir = mkdtempSync(join(tmpdir(), 'live-kit-'));
let relay: InProcessRelay;

before(async () => {
  writeFileSync(join(kitDir, 'live-elements.js'), 'export {};\n');
  relay = await startRelay({ config: { DEMO: true, KIT_DIR: kitDir, METRICS_TOKEN, MAX_CLIENTS_PER_IDENTITY: 1 } });
});
after(async () => {
  await relay?.close();
  rmSync(kitDir, { recursive: true, force: true });
});

test('every response says nosniff: JSON, errors, the kit, the demo pages', async () => {
  const paths = ['/healthz', '/readyz', '/v1/topics/prices', '/v1/topics/BAD!', '/no-such-route', '/live-elements.js', '/chunks/missing-abcdefgh.js', '/', '/cms.html', '/drive.html', '/drive.js', '/demo/info.json', '/metrics'];
  for (const path of paths) {
    const res = await fetch(`${relay.url}${path}`);
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path} (${res.status})`);
  }
  const post = await fetch(`${relay.url}/v1/publish`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
  await post.arrayBuffer();
  assert.equal(post.headers.get('x-content-type-options'), 'nosniff', 'a refused publish');
});

test('the SSE stream, served before Express, says nosniff too, and so does its 429 and 400', async () => {
  const stream = await getFrom(`${relay.url}/v1/events?topics=prices`, '127.0.0.1');
  try {
    assert.equal(stream.status, 200);
    const second = await fetch(`${relay.url}/v1/events?topics=prices`);
    assert.equal(second.status, 429, 'MAX_CLIENTS_PER_IDENTITY is 1 here');
    assert.equal(second.headers.get('x-content-type-options'), 'nosniff');
    await second.arrayBuffer();
  } finally {
    stream.close();
  }
  await waitUntil(() => relay.ctx.clients.size === 0, 'the first stream to close', 5000);
  const res = await fetch(`${relay.url}/v1/events?topics=prices`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  await res.body?.cancel();
  const bad = await fetch(`${relay.url}/v1/events?topics=BAD!`);
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('x-content-type-options'), 'nosniff');
  await bad.arrayBuffer();
});

test('the demo pages carry a CSP with frame-ancestors \'none\' and no inline scripts', async () => {
  for (const path of ['/', '/index.html', '/cms.html', '/drive.html']) {
    const res = await fetch(`${relay.url}${path}`);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: scripts from the relay only`);
    assert.match(csp, /object-src 'none'/, path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    // The policy allows no inline script: the pages must have none for it to hold them.
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, `${path} has an inline <script>`);
    assert.doesNotMatch(html, /\son[a-z]+=/i, `${path} has an inline event handler`);
  }
});

test('METRICS_TOKEN guards /metrics with a bearer token', async () => {
  const none = await fetch(`${relay.url}/metrics`);
  assert.equal(none.status, 401);
  assert.match((await none.json()).error.message, /METRICS_TOKEN/);
  const wrong = await fetch(`${relay.url}/metrics`, { headers: { Authorization: 'Bearer not-the-metrics-token' } });
  assert.equal(wrong.status, 401);
  await wrong.arrayBuffer();
  const right = await fetch(`${relay.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(right.status, 200);
  assert.match(await right.text(), /live_sse_clients/);

  const open = await startRelay();
  try {
    assert.equal((await fetch(`${open.url}/metrics`)).status, 200, 'without METRICS_TOKEN /metrics stays open');
  } finally {
    await open.close();
  }
});
