import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Metrics } from '../../server/metrics.js';

// The README is the relay's manual: every environment variable the relay reads and every metric
// it exports must be documented there, so adding one without documenting it fails here.

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('every environment variable of server/config.ts is documented in README.md', () => {
  const source = readFileSync(new URL('../../server/config.ts', import.meta.url), 'utf8');
  const schema = source.slice(source.indexOf('z.object({'), source.indexOf('});', source.indexOf('z.object({')));
  const names = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
  assert.ok(names.length >= 20, `found only ${names.length} variables in server/config.ts; has the schema moved?`);
  const missing = names.filter((n) => !readme.includes(`\`${n}\``));
  assert.deepEqual(missing, [], `document these variables in README.md (as \`NAME\`): ${missing.join(', ')}`);
});

test('every metric the relay exports is documented in README.md', async () => {
  const metrics = new Metrics();
  const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
  assert.ok(names.includes('live_sse_clients'));
  const missing = names.filter((n) => !readme.includes(`\`${n}`));
  assert.deepEqual(missing, [], `document these metrics in README.md: ${missing.join(', ')}`);
});
