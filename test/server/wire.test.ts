import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, compareIds, parseSelectors, validateEventInput } from '../../src/core/wire.js';

test('selectors: topic and topic/key parse; bad ones name the problem', () => {
  assert.deepEqual(parseSelectors('prices,services/api-1'), [{ topic: 'prices' }, { topic: 'services', key: 'api-1' }]);
  assert.throws(() => parseSelectors('Prices'), /topic "Prices" is not valid/);
  assert.throws(() => parseSelectors('prices/'), /key must not be empty/);
  assert.throws(() => parseSelectors(''), /no topics selected/);
});

test('ids order numerically, not as text', () => {
  assert.ok(compareIds('9-0', '10-0') < 0);
  assert.ok(compareIds('10-2', '10-10') < 0);
  assert.equal(compareIds('5-5', '5-5'), 0);
});

test('validateEventInput names the field at fault', () => {
  assert.match(validateEventInput({ topic: 'p', key: 'k', op: 'nope', data: 1 }) as string, /event\.op must be one of/);
  assert.match(validateEventInput({ topic: 'p', key: 'k', op: 'patch', data: 3 }) as string, /data must be an object/);
  assert.match(validateEventInput({ topic: 'p', key: 'k', op: 'upsert' }) as string, /data is required/);
  assert.deepEqual(validateEventInput({ topic: 'p', key: 'k', op: 'delete' }), { topic: 'p', key: 'k', op: 'delete' });
});

test('applyEvent: upsert, patch, delete, bounded append', () => {
  const s = new Map<string, unknown>();
  applyEvent(s, { topic: 't', key: 'a', op: 'upsert', data: { x: 1, y: 2 } }, 3);
  applyEvent(s, { topic: 't', key: 'a', op: 'patch', data: { y: 3 } }, 3);
  assert.deepEqual(s.get('a'), { x: 1, y: 3 });
  for (let i = 0; i < 5; i++) applyEvent(s, { topic: 't', key: 'l', op: 'append', data: i }, 3);
  assert.deepEqual(s.get('l'), [2, 3, 4]);
  applyEvent(s, { topic: 't', key: 'a', op: 'delete' }, 3);
  assert.equal(s.has('a'), false);
});
