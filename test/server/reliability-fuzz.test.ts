import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateEventInput } from '../../src/core/wire.js';
import { sequinToInputs } from '../../server/webhooks/sequin-messages.js';
import { startRelay, publish, type InProcessRelay } from '../helpers/relay.js';
import { soakNumber } from '../helpers/soak-env.js';

// Fuzzing: generated malformed bodies and headers against publish and the Sequin webhook sink.
// Every answer must be a 4xx JSON error {error:{code,message}}, the relay must stay up, and the
// log and the state must be exactly as before. `npm run soak` runs 10,000 per route.

const RUNS = soakNumber('FUZZ_RUNS', 500);
const TOKEN = 'fuzz-publish-token-0123456789';
const SEQUIN_SECRET = 'fuzz-sequin-secret-0123456789';
const MAX_BODY = 8192;
const TOPICS = ['prices', 'services'];

let relay: InProcessRelay;
let seededLast: string | null;
let seededState: Record<string, unknown>;

before(async () => {
  relay = await startRelay({ config: { PUBLISH_TOKEN: TOKEN, SEQUIN_WEBHOOK_SECRET: SEQUIN_SECRET, MAX_BODY_BYTES: MAX_BODY } });
  const seeded = await publish(
    relay.url,
    [
      { topic: 'prices', key: '4151', op: 'upsert', data: { high: 10, low: 9, ts: 1 } },
      { topic: 'services', key: 'api', op: 'upsert', data: { status: 'running' } },
      { topic: 'services', key: 'api', op: 'patch', data: { progress: 40 } },
    ],
    { Authorization: `Bearer ${TOKEN}` },
  );
  assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
  seededLast = await relay.ctx.bus.lastId();
  seededState = await stateOf();
});
after(() => relay?.close());

async function stateOf(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const t of TOPICS) out[t] = (await relay.ctx.bus.snapshot(t)).items;
  return out;
}

/** Printable header values (fetch refuses control characters, as any HTTP client must). */
const headerText = fc.string({ unit: fc.constantFrom(...' !#$%&*+-./0123456789:;=?@ABCXYZ_abcxyz~"\',()'.split('')), maxLength: 60 });
const contentType = fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'), headerText), { nil: undefined });
const contentEncoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-bogus'), { nil: undefined, freq: 4 });

const validEvent = fc.record({
  topic: fc.constantFrom(...TOPICS),
  key: fc.constantFrom('4151', 'api', 'k1'),
  op: fc.constantFrom('upsert', 'patch', 'append'),
  data: fc.record({ v: fc.integer() }),
});

/** A valid event with one field removed or replaced by anything (kept only if now invalid). */
const brokenEvent = fc
  .tuple(validEvent, fc.constantFrom('topic', 'key', 'op', 'data'), fc.option(fc.anything(), { nil: undefined }))
  .map(([e, field, value]) => {
    const copy: Record<string, unknown> = { ...e };
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  })
  .filter((e) => typeof validateEventInput(e) === 'string');

/** Bodies publish must refuse: not JSON, JSON that is not events, arrays with one bad event, too large. */
const badPublishBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.anything().filter((v) => (Array.isArray(v) ? v.length === 0 || v.some((x) => typeof validateEventInput(x) === 'string') : typeof validateEventInput(v) === 'string')).map((v) => JSON.stringify(v) ?? 'undefined'),
  brokenEvent.map((e) => JSON.stringify(e)),
  fc.tuple(fc.array(validEvent, { maxLength: 5 }), brokenEvent, fc.nat()).map(([ok, bad, at]) => {
    const list: unknown[] = [...ok];
    list.splice(at % (ok.length + 1), 0, bad);
    return JSON.stringify(list);
  }),
  validEvent.map((e) => JSON.stringify({ ...e, data: { pad: 'x'.repeat(MAX_BODY) } })),
);

/** Authorization for publish: mostly right, sometimes wrong or malformed (then any body is refused). */
const publishAuth = fc.oneof({ weight: 4, arbitrary: fc.constant(`Bearer ${TOKEN}`) }, fc.constant(undefined), headerText, headerText.map((t) => `Bearer ${t}`));

/** A valid Sequin message, then broken in one place. */
const sequinMessage = fc.record({
  record: fc.record({ id: fc.oneof(fc.integer(), fc.constantFrom('a', 'b')), name: fc.string({ maxLength: 10 }) }),
  changes: fc.constant(null),
  action: fc.constantFrom('insert', 'update', 'delete', 'read'),
  metadata: fc.record({ table_name: fc.constantFrom('services', 'prices'), idempotency_key: fc.uuid() }),
});
const mapping = { topics: new Map<string, string>(), keys: new Map<string, string>() };
/** True when the webhook must refuse this JSON value (and would not answer 200 to an empty batch). */
const webhookRefuses = (v: unknown) => typeof sequinToInputs(v, mapping) === 'string';
const brokenSequin = fc
  .tuple(sequinMessage, fc.constantFrom('record', 'action', 'metadata', 'metadata.table_name', 'metadata.idempotency_key', 'record.id'), fc.anything())
  .map(([m, path, value]) => {
    const copy = structuredClone(m) as Record<string, any>;
    const [a, b] = path.split('.');
    if (b) copy[a][b] = value;
    else copy[a] = value;
    return copy;
  })
  .filter(webhookRefuses);
const badWebhookBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.anything().filter(webhookRefuses).map((v) => JSON.stringify(v) ?? ''),
  brokenSequin.map((m) => JSON.stringify(m)),
  fc.tuple(fc.array(sequinMessage, { maxLength: 4 }), brokenSequin, fc.nat()).map(([ok, bad, at]) => {
    const list: unknown[] = [...ok];
    list.splice(at % (ok.length + 1), 0, bad);
    return JSON.stringify({ data: list });
  }),
  sequinMessage.map((m) => JSON.stringify({ ...m, record: { ...m.record, pad: 'x'.repeat(MAX_BODY) } })),
);
const webhookAuth: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ Authorization: `Bearer ${SEQUIN_SECRET}` } as Record<string, string>) },
  fc.constant({} as Record<string, string>),
  headerText.map((t): Record<string, string> => ({ Authorization: `Bearer ${t}` })),
  headerText.map((t): Record<string, string> => ({ 'Sequin-Signature': t })),
  fc.tuple(headerText, headerText).map(([id, sig]): Record<string, string> => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${sig}` })),
);

interface Sent {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** Sends one request and checks the answer is a 4xx JSON error; returns a description of what failed. */
async function expectClientError({ path, body, headers }: Sent): Promise<void> {
  const res = await fetch(`${relay.url}${path}`, { method: 'POST', body, headers });
  const text = await res.text();
  const what = `${path} ${JSON.stringify(headers)} ${JSON.stringify(body.slice(0, 300))} answered ${res.status} ${text.slice(0, 300)}`;
  assert.ok(res.status >= 400 && res.status < 500, what);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
  const parsed = JSON.parse(text);
  assert.equal(typeof parsed?.error?.code, 'string', what);
  assert.equal(typeof parsed?.error?.message, 'string', what);
}

function headersOf(pairs: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) out[k] = v;
  return out;
}

test(`fuzz publish: ${RUNS} malformed bodies and headers answer 4xx JSON and change nothing`, { timeout: 600_000 }, async () => {
  // A well-formed body with a wrong token is as malformed as a broken body with the right one.
  const validBody = fc.array(validEvent, { minLength: 1, maxLength: 3 }).map((l) => JSON.stringify(l));
  const request = fc.oneof(
    { weight: 3, arbitrary: fc.record({ body: badPublishBody, auth: publishAuth, type: contentType, encoding: contentEncoding }) },
    fc.record({ body: validBody, auth: fc.oneof(fc.constant(undefined), headerText, headerText.map((t) => `Bearer ${t}`)), type: contentType, encoding: fc.constant(undefined) }),
  );
  await fc.assert(
    fc.asyncProperty(request, async ({ body, auth, type, encoding }) => {
      await expectClientError({ path: '/v1/publish', body, headers: headersOf({ Authorization: auth, 'Content-Type': type, 'Content-Encoding': encoding }) });
    }),
    { numRuns: RUNS },
  );
  assert.equal((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay is up');
  assert.equal(await relay.ctx.bus.lastId(), seededLast, 'nothing was appended to the log');
  assert.deepEqual(await stateOf(), seededState, 'the state is unchanged');
});

test(`fuzz webhook: ${RUNS} malformed deliveries answer 4xx JSON and change nothing`, { timeout: 600_000 }, async () => {
  const validDelivery = fc.array(sequinMessage, { minLength: 1, maxLength: 3 }).map((l) => JSON.stringify({ data: l }));
  const request = fc.oneof(
    { weight: 3, arbitrary: fc.record({ body: badWebhookBody, auth: webhookAuth, type: contentType }) },
    fc.record({ body: validDelivery, auth: webhookAuth.filter((h) => h.Authorization !== `Bearer ${SEQUIN_SECRET}`), type: contentType }),
  );
  await fc.assert(
    fc.asyncProperty(request, async ({ body, auth, type }) => {
      await expectClientError({ path: '/v1/webhooks/sequin', body, headers: headersOf({ ...auth, 'Content-Type': type }) });
    }),
    { numRuns: RUNS },
  );
  assert.equal((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay is up');
  assert.equal(await relay.ctx.bus.lastId(), seededLast, 'nothing was appended to the log');
  assert.deepEqual(await stateOf(), seededState, 'the state is unchanged');
});
