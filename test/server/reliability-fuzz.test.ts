import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startRelay, openStream, publish, type InProcessRelay } from '../helpers/relay.js';
import { soakNumber } from '../helpers/soak-env.js';

// Fuzzing publish and the Sequin webhook sink. The judge of what is valid is written here, from
// the contract (DESIGN.md §2-3 and the wire module's documented key rules), not borrowed from the
// validators under test: a validator that wrongly accepts, or wrongly refuses, disagrees with it.
// Refused requests must answer a 4xx JSON error and append nothing; accepted ones must answer 200
// with one id per event, and a stream must deliver exactly what was sent. `npm run soak` runs
// 10,000 per property.

const RUNS = soakNumber('FUZZ_RUNS', 500);
/** Accepted publishes each open a stream: fewer runs, same coverage of the valid space. */
const DELIVERY_RUNS = Math.max(50, Math.floor(RUNS / 5));
const TOKEN = 'fuzz-publish-token-0123456789';
const SEQUIN_SECRET = 'fuzz-sequin-secret-0123456789';
const MAX_BODY = 8192;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

// ---- The contract, as independent rules -------------------------------------------------------

/** DESIGN.md §2: a topic is `[a-z0-9][a-z0-9_.-]{0,63}`. */
const TOPIC = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** DESIGN.md §2: the four ops. */
const OPS = ['upsert', 'patch', 'delete', 'append'];
/** Sequin actions (DESIGN.md §3, webhook). */
const ACTIONS = ['insert', 'update', 'delete', 'read'];

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A key is a non-empty string of at most 256 characters, without "," (it separates selectors in
 * `topics=a,b/key`) and without control characters (they cannot travel in a selector or a header).
 */
function keyIsValid(k: unknown): boolean {
  // eslint-disable-next-line no-control-regex
  return typeof k === 'string' && k.length >= 1 && k.length <= 256 && !/[,\u0000-\u001f\u007f]/.test(k);
}

/**
 * One publish envelope (DESIGN.md §3): exactly `topic`, `key`, `op` and `data` (no `id`/`time`);
 * `data` is required except for `delete`; a `patch` merges fields, so its data is an object.
 */
function envelopeIsValid(e: unknown): boolean {
  if (!isPlainObject(e)) return false;
  if (Object.keys(e).some((k) => !['topic', 'key', 'op', 'data'].includes(k))) return false;
  if (typeof e.topic !== 'string' || !TOPIC.test(e.topic)) return false;
  if (!keyIsValid(e.key)) return false;
  if (typeof e.op !== 'string' || !OPS.includes(e.op)) return false;
  if (e.op !== 'delete' && !Object.hasOwn(e, 'data')) return false;
  if (e.op === 'patch' && !isPlainObject(e.data)) return false;
  return true;
}

/** A publish body: one envelope or a non-empty array of them, as JSON, within the size limit. */
function publishBodyIsValid(body: string): boolean {
  if (Buffer.byteLength(body) > MAX_BODY) return false;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return false;
  }
  return Array.isArray(v) ? v.length > 0 && v.every(envelopeIsValid) : envelopeIsValid(v);
}

/**
 * One Sequin message: an `action` Sequin sends, `metadata.table_name` naming the topic (no
 * renames in this relay), an optional string `metadata.idempotency_key`, and a `record` whose
 * primary key `id` is a string or a finite number that makes a valid key.
 */
function sequinMessageIsValid(m: unknown): boolean {
  if (!isPlainObject(m)) return false;
  if (typeof m.action !== 'string' || !ACTIONS.includes(m.action)) return false;
  if (!isPlainObject(m.metadata)) return false;
  const { table_name: table, idempotency_key: idem } = m.metadata;
  if (typeof table !== 'string' || !TOPIC.test(table)) return false;
  if (idem !== undefined && idem !== null && typeof idem !== 'string') return false;
  if (!isPlainObject(m.record)) return false;
  const id = m.record.id;
  if (typeof id === 'number') return Number.isFinite(id) && keyIsValid(String(id));
  return typeof id === 'string' && keyIsValid(id);
}

/** A webhook body: one message, or `{"data": [messages]}` (an empty batch is a valid no-op). */
function webhookBodyIsValid(body: string): boolean {
  if (Buffer.byteLength(body) > MAX_BODY) return false;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isPlainObject(v)) return false;
  if (Object.hasOwn(v, 'data')) return Array.isArray(v.data) && v.data.every(sequinMessageIsValid);
  return sequinMessageIsValid(v);
}

/** How many events a body the judge accepts makes. */
const eventCount = (body: string, batchField?: 'data') => {
  const v = JSON.parse(body);
  if (batchField) return isPlainObject(v) && Array.isArray(v.data) ? v.data.length : 1;
  return Array.isArray(v) ? v.length : 1;
};

// ---- Generators -------------------------------------------------------------------------------

/** Characters a key may hold (a wide choice: "/", spaces, quotes, non-ASCII). */
const keyChars = fc.constantFrom(...'aZ09 /-_.:@é€"\\<>%#?&+=~'.split(''));
const validTopic = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,63}$/);
const validKey = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: keyChars, minLength: 1, maxLength: 40 }) },
  fc.constantFrom('__proto__', 'constructor', 'toString', 'k'.repeat(256)),
);
const jsonData = fc.jsonValue({ maxDepth: 3 });
const objectData = fc.dictionary(fc.string({ maxLength: 6 }), jsonData, { maxKeys: 4 });
/** Anything, to put where a field belongs (the judge decides whether it happens to be valid). */
const noise = fc.anything({ maxDepth: 2 });
const CONTROL = ['\u0000', '\u0007', '\n', '\u001f', '\u007f'];

/** Envelopes the contract accepts: any valid topic and key, every op, data where the op needs it. */
const validEnvelope: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ topic: validTopic, key: validKey, op: fc.constantFrom(...OPS), data: fc.oneof({ weight: 3, arbitrary: objectData }, jsonData) })
  .map((e) => (e.op === 'delete' ? { topic: e.topic, key: e.key, op: e.op } : e.op === 'patch' && !isPlainObject(e.data) ? { ...e, data: {} } : e));

type Mutation = (e: Record<string, unknown>, n: number, junk: unknown) => unknown;
const without = (e: Record<string, unknown>, field: string) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field));
const insertAt = (text: string, n: number, piece: string) => text.slice(0, n % (text.length + 1)) + piece + text.slice(n % (text.length + 1));

/** One way to break one rule of the publish contract each (the judge still has the last word). */
const PUBLISH_MUTATIONS: Record<string, Mutation> = {
  'topic with an upper-case letter': (e) => ({ ...e, topic: `A${e.topic}`.slice(0, 64) }),
  'topic starting with punctuation': (e, n) => ({ ...e, topic: `${'_.-'[n % 3]}${e.topic}`.slice(0, 64) }),
  'topic of 65 characters': (e) => ({ ...e, topic: 'a'.repeat(65) }),
  'topic empty': (e) => ({ ...e, topic: '' }),
  'topic with "/" or ":"': (e, n) => ({ ...e, topic: insertAt(String(e.topic), n, n % 2 ? '/' : ':') }),
  'topic not a string': (e, _n, junk) => ({ ...e, topic: junk }),
  'topic missing': (e) => without(e, 'topic'),
  'key empty': (e) => ({ ...e, key: '' }),
  'key of 257 characters': (e) => ({ ...e, key: 'k'.repeat(257) }),
  'key with ","': (e, n) => ({ ...e, key: insertAt(String(e.key), n, ',') }),
  'key with a control character': (e, n) => ({ ...e, key: insertAt(String(e.key), n, CONTROL[n % CONTROL.length]) }),
  'key not a string': (e, _n, junk) => ({ ...e, key: junk }),
  'key missing': (e) => without(e, 'key'),
  'op unknown': (e, n) => ({ ...e, op: ['UPSERT', 'remove', 'set', '', 'Patch', 'append '][n % 6] }),
  'op not a string': (e, _n, junk) => ({ ...e, op: junk }),
  'op missing': (e) => without(e, 'op'),
  'data missing': (e) => without(e, 'data'),
  'patch data not an object': (e, n) => ({ ...e, op: 'patch', data: [[1], 'text', null, 3, true][n % 5] }),
  'an extra field': (e, n) => ({ ...e, [['id', 'time', 'dedupeKey', 'Topic', 'extra'][n % 5]]: n }),
  'not an object': (_e, _n, junk) => junk,
};

/** An envelope, valid (half the time) or broken in exactly one way. */
const maybeBrokenEnvelope = fc
  .tuple(validEnvelope, fc.oneof(fc.constant(null), fc.constantFrom(...Object.keys(PUBLISH_MUTATIONS))), fc.nat(), noise)
  .map(([e, name, n, junk]) => (name === null ? e : PUBLISH_MUTATIONS[name](e, n, junk)));

const publishCandidate = fc.oneof(
  { weight: 4, arbitrary: maybeBrokenEnvelope.map((e) => JSON.stringify(e) ?? 'undefined') },
  { weight: 4, arbitrary: fc.tuple(fc.array(validEnvelope, { maxLength: 4 }), maybeBrokenEnvelope, fc.nat()).map(([ok, e, at]) => {
    const list: unknown[] = [...ok];
    list.splice(at % (ok.length + 1), 0, e);
    return JSON.stringify(list);
  }) },
  fc.constant('[]'),
  fc.string({ maxLength: 200 }),
  noise.map((v) => JSON.stringify(v) ?? 'undefined'),
  validEnvelope.map((e) => JSON.stringify({ ...e, op: 'upsert', data: { pad: 'x'.repeat(MAX_BODY) } })),
);

const validTable = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('services', 'orders_v2', 'prices') }, validTopic);
const validMessage: fc.Arbitrary<Record<string, any>> = fc.record({
  record: fc.record({ id: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), validKey), name: fc.string({ maxLength: 10 }) }),
  changes: fc.constant(null),
  action: fc.constantFrom(...ACTIONS),
  metadata: fc.record({ table_name: validTable, idempotency_key: fc.oneof({ weight: 4, arbitrary: fc.uuid() }, fc.constant(null)) }),
});
const withMeta = (m: Record<string, any>, meta: Record<string, unknown>) => ({ ...m, metadata: { ...m.metadata, ...meta } });
const withRecord = (m: Record<string, any>, record: Record<string, unknown>) => ({ ...m, record: { ...m.record, ...record } });

/** One way to break one rule of a Sequin message each. */
const SEQUIN_MUTATIONS: Record<string, Mutation> = {
  'action unknown': (m, n) => ({ ...m, action: ['upsert', 'INSERT', 'remove', ''][n % 4] }),
  'action not a string': (m, _n, junk) => ({ ...m, action: junk }),
  'action missing': (m) => without(m, 'action'),
  'metadata not an object': (m, _n, junk) => ({ ...m, metadata: junk }),
  'metadata missing': (m) => without(m, 'metadata'),
  'table_name empty': (m) => withMeta(m, { table_name: '' }),
  'table_name not a valid topic': (m, n) => withMeta(m, { table_name: ['Orders', '_orders', 'a'.repeat(65), 'public.orders/x', 'orders:1'][n % 5] }),
  'table_name not a string': (m, _n, junk) => withMeta(m, { table_name: junk }),
  'idempotency_key not a string': (m, n) => withMeta(m, { idempotency_key: [1, true, {}, ['k']][n % 4] }),
  'record not an object': (m, n) => ({ ...m, record: [[1], 'text', null, 3][n % 4] }),
  'record missing': (m) => without(m, 'record'),
  'record.id missing': (m) => ({ ...m, record: without(m.record as Record<string, unknown>, 'id') }),
  'record.id not a string or number': (m, n) => withRecord(m, { id: [null, true, { a: 1 }, [1]][n % 4] }),
  'record.id an invalid key': (m, n) => withRecord(m, { id: ['', 'a,b', 'k'.repeat(257), 'a\nb'][n % 4] }),
  'not an object': (_m, _n, junk) => junk,
};

const maybeBrokenMessage = fc
  .tuple(validMessage, fc.oneof(fc.constant(null), fc.constantFrom(...Object.keys(SEQUIN_MUTATIONS))), fc.nat(), noise)
  .map(([m, name, n, junk]) => (name === null ? m : SEQUIN_MUTATIONS[name](m, n, junk)));

const webhookCandidate = fc.oneof(
  { weight: 4, arbitrary: maybeBrokenMessage.map((m) => JSON.stringify(m) ?? '') },
  { weight: 4, arbitrary: fc.tuple(fc.array(validMessage, { maxLength: 3 }), maybeBrokenMessage, fc.nat()).map(([ok, m, at]) => {
    const list: unknown[] = [...ok];
    list.splice(at % (ok.length + 1), 0, m);
    return JSON.stringify({ data: list });
  }) },
  noise.map((v) => JSON.stringify({ data: v })),
  fc.string({ maxLength: 200 }),
  noise.map((v) => JSON.stringify(v) ?? ''),
  validMessage.map((m) => JSON.stringify(withRecord(m, { id: 1, pad: 'x'.repeat(MAX_BODY) }))),
);

/** Printable header values (fetch refuses control characters, as any HTTP client must). */
const headerText = fc.string({ unit: fc.constantFrom(...' !#$%&*+-./0123456789:;=?@ABCXYZ_abcxyz~"\',()'.split('')), maxLength: 60 });
const contentType = fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'), headerText), { nil: undefined });
const contentEncoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-bogus'), { nil: undefined, freq: 4 });

// ---- The relay --------------------------------------------------------------------------------

let relay: InProcessRelay;

before(async () => {
  relay = await startRelay({ config: { PUBLISH_TOKEN: TOKEN, SEQUIN_WEBHOOK_SECRET: SEQUIN_SECRET, MAX_BODY_BYTES: MAX_BODY } });
  const seeded = await publish(relay.url, { topic: 'prices', key: '4151', op: 'upsert', data: { high: 10, low: 9, ts: 1 } }, { Authorization: `Bearer ${TOKEN}` });
  assert.equal(seeded.status, 200, JSON.stringify(seeded.body));
});
after(() => relay?.close());

interface Answer {
  status: number;
  body: any;
  what: string;
}

async function post(path: string, body: string, headers: Record<string, string | undefined>): Promise<Answer> {
  const sent: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) sent[k] = v;
  const res = await fetch(`${relay.url}${path}`, { method: 'POST', body, headers: sent });
  const text = await res.text();
  const what = `${path} ${JSON.stringify(sent)} ${JSON.stringify(body.slice(0, 300))} answered ${res.status} ${text.slice(0, 300)}`;
  let parsed: any = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`not JSON: ${what}`);
  }
  return { status: res.status, body: parsed, what };
}

/** A refusal: a 4xx JSON error `{error:{code,message}}`, and nothing appended to the log. */
async function expectRefused(path: string, body: string, headers: Record<string, string | undefined>): Promise<void> {
  const before = await relay.ctx.bus.lastId();
  const a = await post(path, body, headers);
  assert.ok(a.status >= 400 && a.status < 500, `the contract refuses this, the relay did not: ${a.what}`);
  assert.equal(typeof a.body?.error?.code, 'string', a.what);
  assert.equal(typeof a.body?.error?.message, 'string', a.what);
  assert.equal(await relay.ctx.bus.lastId(), before, `a refused request appended to the log: ${a.what}`);
}

const tally = () => ({ accepted: 0, refused: 0 });

test(`fuzz publish: ${RUNS} bodies near the contract are accepted or refused exactly as its rules say`, { timeout: 600_000 }, async () => {
  const seen = tally();
  await fc.assert(
    fc.asyncProperty(publishCandidate, async (body) => {
      const headers = { ...JSON_HEADERS, Authorization: `Bearer ${TOKEN}` };
      if (!publishBodyIsValid(body)) {
        seen.refused++;
        return expectRefused('/v1/publish', body, headers);
      }
      seen.accepted++;
      const a = await post('/v1/publish', body, headers);
      assert.equal(a.status, 200, `the contract accepts this, the relay did not: ${a.what}`);
      assert.equal(a.body.ids?.length, eventCount(body), a.what);
    }),
    { numRuns: RUNS },
  );
  assert.ok(seen.accepted > RUNS / 20 && seen.refused > RUNS / 20, `both kinds were tried: ${JSON.stringify(seen)}`);
  assert.equal((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay is up');
});

test(`fuzz publish: ${RUNS} requests with a bad body, or a good one without the token, answer 4xx and append nothing`, { timeout: 600_000 }, async () => {
  const badBody = publishCandidate.filter((b) => !publishBodyIsValid(b));
  const goodBody = fc.array(validEnvelope, { minLength: 1, maxLength: 3 }).map((l) => JSON.stringify(l)).filter(publishBodyIsValid);
  const wrongAuth = fc.oneof(fc.constant(undefined), headerText, headerText.map((t) => `Bearer ${t}`));
  const request = fc.oneof(
    { weight: 3, arbitrary: fc.record({ body: badBody, auth: fc.oneof({ weight: 3, arbitrary: fc.constant(`Bearer ${TOKEN}`) }, wrongAuth), type: contentType, encoding: contentEncoding }) },
    fc.record({ body: goodBody, auth: wrongAuth, type: contentType, encoding: fc.constant(undefined) }),
  );
  await fc.assert(
    fc.asyncProperty(request, ({ body, auth, type, encoding }) => expectRefused('/v1/publish', body, { Authorization: auth, 'Content-Type': type, 'Content-Encoding': encoding })),
    { numRuns: RUNS },
  );
  assert.equal((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay is up');
});

test(`fuzz publish: ${DELIVERY_RUNS} valid bodies are accepted and a live stream delivers exactly what was sent`, { timeout: 600_000 }, async () => {
  const body = fc.oneof(validEnvelope, fc.array(validEnvelope, { minLength: 1, maxLength: 5 })).filter((v) => publishBodyIsValid(JSON.stringify(v)));
  await fc.assert(
    fc.asyncProperty(body, async (value) => {
      const sent = (Array.isArray(value) ? value : [value]).map((e) => JSON.parse(JSON.stringify(e)));
      const topics = [...new Set(sent.map((e) => e.topic))].join(',');
      const stream = await openStream(relay.url, { topics });
      try {
        assert.equal(stream.status, 200, JSON.stringify(stream.body));
        await stream.waitFor((frames) => frames.some((f) => f.event === 'connected'), 5000, 'the connected frame');
        const a = await post('/v1/publish', JSON.stringify(value), { ...JSON_HEADERS, Authorization: `Bearer ${TOKEN}` });
        assert.equal(a.status, 200, `a valid body was refused: ${a.what}`);
        assert.equal(a.body.ids.length, sent.length, a.what);
        await stream.waitFor(() => stream.changes().length >= sent.length, 5000, `${sent.length} change frames`);
        // A moment for a wrongly doubled frame to arrive after the expected ones.
        await new Promise((r) => setTimeout(r, 5));
        const got = stream.changes().map(({ topic, key, op, data }) => (op === 'delete' ? { topic, key, op } : { topic, key, op, data }));
        assert.deepEqual(got, sent, 'delivered exactly what was sent, in order, once');
        assert.deepEqual(stream.changes().map((e) => e.id), a.body.ids, 'with the ids publish answered');
      } finally {
        stream.close();
      }
    }),
    { numRuns: DELIVERY_RUNS },
  );
});

const webhookAuth: fc.Arbitrary<Record<string, string>> = fc.oneof(
  fc.constant({} as Record<string, string>),
  headerText.map((t): Record<string, string> => ({ Authorization: `Bearer ${t}` })),
  headerText.map((t): Record<string, string> => ({ 'Sequin-Signature': t })),
  fc.tuple(headerText, headerText).map(([id, sig]): Record<string, string> => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${sig}` })),
);

test(`fuzz webhook: ${RUNS} deliveries near the contract are accepted or refused exactly as its rules say`, { timeout: 600_000 }, async () => {
  const seen = tally();
  await fc.assert(
    fc.asyncProperty(webhookCandidate, async (body) => {
      const headers = { ...JSON_HEADERS, Authorization: `Bearer ${SEQUIN_SECRET}` };
      if (!webhookBodyIsValid(body)) {
        seen.refused++;
        return expectRefused('/v1/webhooks/sequin', body, headers);
      }
      seen.accepted++;
      const a = await post('/v1/webhooks/sequin', body, headers);
      assert.equal(a.status, 200, `the contract accepts this, the relay did not: ${a.what}`);
      // A repeated idempotency key is acknowledged, not published twice.
      assert.equal(a.body.ids?.length + a.body.duplicates, eventCount(body, 'data'), a.what);
    }),
    { numRuns: RUNS },
  );
  assert.ok(seen.accepted > RUNS / 20 && seen.refused > RUNS / 20, `both kinds were tried: ${JSON.stringify(seen)}`);
  assert.equal((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay is up');
});

test(`fuzz webhook: ${RUNS} deliveries with a bad body, or a good one without the secret, answer 4xx and append nothing`, { timeout: 600_000 }, async () => {
  const badBody = webhookCandidate.filter((b) => !webhookBodyIsValid(b));
  const goodBody = fc.array(validMessage, { minLength: 1, maxLength: 3 }).map((l) => JSON.stringify({ data: l })).filter(webhookBodyIsValid);
  const request = fc.oneof(
    { weight: 3, arbitrary: fc.record({ body: badBody, auth: fc.oneof({ weight: 3, arbitrary: fc.constant({ Authorization: `Bearer ${SEQUIN_SECRET}` } as Record<string, string>) }, webhookAuth), type: contentType }) },
    fc.record({ body: goodBody, auth: webhookAuth, type: contentType }),
  );
  await fc.assert(
    fc.asyncProperty(request, ({ body, auth, type }) => expectRefused('/v1/webhooks/sequin', body, { ...auth, 'Content-Type': type })),
    { numRuns: RUNS },
  );
  assert.equal((await fetch(`${relay.url}/healthz`)).status, 200, 'the relay is up');
});
