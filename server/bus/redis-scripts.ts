import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts of the Redis bus. Each runs atomically inside Redis, so every relay sharing one
 * Redis sees a log and a state that change together.
 *
 * Keys (all under the configured prefix, `live:` by default):
 * - `<prefix>log`: the event log, one Redis Stream; entry fields `t` topic, `k` key, `o` op, `d` data (raw JSON).
 * - `<prefix>meta`: a hash with `epoch` (a random id created with the log: a flushed or restarted
 *   Redis gets a new one) and `floor` (id of the newest entry ever trimmed; absent while none was).
 * - `<prefix>state:<topic>`: a hash per topic, key → value (raw JSON).
 * - `<prefix>len:<topic>`: a hash per topic, key → item count of the key's `append` list (absent
 *   when the value was last set by another op), so appends need not scan the whole list.
 * - `<prefix>dedupe:<dedupeKey>`: remembered idempotency keys, `SET NX PX`.
 *
 * Values are spliced as raw JSON text rather than decoded and re-encoded with cjson: cjson rounds
 * numbers to 14 significant digits and cannot tell `[]` from `{}`, so a patch would corrupt
 * fields it does not touch. Stored values are always compact JSON (from `JSON.stringify` or from
 * these scripts), which is what the small top-level scanner below relies on.
 */

/** A Lua script with its SHA1, so the bus can call it with EVALSHA and fall back to EVAL. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

/** Runs a script by SHA, sending its source on the first use after a Redis restart emptied the script cache. */
export async function runScript(conn: Redis, script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await conn.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return conn.eval(script.source, keys.length, ...keys, ...args);
  }
}

function script(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

const JSON_SCANNER = String.raw`
local function scan_string(s, i)
  local j = i + 1
  while true do
    local k = string.find(s, '["\\]', j)
    if not k then return nil end
    if string.byte(s, k) == 92 then j = k + 2 else return k end
  end
end

local function scan_value(s, i)
  local c = string.byte(s, i)
  if c == 34 then return scan_string(s, i) end
  if c == 123 or c == 91 then
    local depth, j = 0, i
    while true do
      local k = string.find(s, '[{}%[%]"]', j)
      if not k then return nil end
      local b = string.byte(s, k)
      if b == 34 then
        k = scan_string(s, k)
        if not k then return nil end
      elseif b == 123 or b == 91 then
        depth = depth + 1
      else
        depth = depth - 1
        if depth == 0 then return k end
      end
      j = k + 1
    end
  end
  local k = string.find(s, '[,}%]]', i)
  return (k or (#s + 1)) - 1
end

local function decode_key(rawk)
  if string.find(rawk, '\\', 1, true) then return cjson.decode(rawk) end
  return string.sub(rawk, 2, -2)
end

-- The members of a compact JSON object as {raw key, key, raw value}, in order; nil when s is not an object.
local function object_members(s)
  if not s or string.byte(s, 1) ~= 123 then return nil end
  local out = {}
  if string.byte(s, 2) == 125 then return out end
  local i = 2
  while true do
    if string.byte(s, i) ~= 34 then return nil end
    local ke = scan_string(s, i)
    if not ke or string.byte(s, ke + 1) ~= 58 then return nil end
    local rawk = string.sub(s, i, ke)
    local ve = scan_value(s, ke + 2)
    if not ve then return nil end
    out[#out + 1] = { rawk, decode_key(rawk), string.sub(s, ke + 2, ve) }
    local nb = string.byte(s, ve + 1)
    if nb == 44 then i = ve + 2 elseif nb == 125 then return out else return nil end
  end
end

-- The items of a compact JSON array as raw JSON texts; nil when s is not an array.
local function array_items(s)
  if not s or string.byte(s, 1) ~= 91 then return nil end
  local out = {}
  if string.byte(s, 2) == 93 then return out end
  local i = 2
  while true do
    local ve = scan_value(s, i)
    if not ve then return nil end
    out[#out + 1] = string.sub(s, i, ve)
    local nb = string.byte(s, ve + 1)
    if nb == 44 then i = ve + 2 elseif nb == 93 then return out else return nil end
  end
end

-- Shallow merge like {...prev, ...patch}: fields keep their place, new ones follow in patch order.
-- patch is a flat list key, raw key, raw value; an empty raw value removes the field (undefined in JS).
local function merge(prev, patch)
  local members = object_members(prev) or {}
  local index = {}
  for n = 1, #members do index[members[n][2]] = n end
  for p = 1, #patch, 3 do
    local n = index[patch[p]]
    if n then
      members[n][3] = patch[p + 2]
    else
      members[#members + 1] = { patch[p + 1], patch[p], patch[p + 2] }
      index[patch[p]] = #members
    end
  end
  local parts = {}
  for n = 1, #members do
    if members[n][3] ~= '' then parts[#parts + 1] = members[n][1] .. ':' .. members[n][3] end
  end
  return '{' .. table.concat(parts, ',') .. '}'
end

-- prev's list (an empty one when prev is not a list) plus item, keeping the newest limit items.
-- n is prev's item count when known (the len hash), so a long list is never split item by item:
-- the new item is spliced before the closing bracket and only the dropped items are scanned.
-- Returns the new list and its count.
local function push_bounded(prev, n, item, limit)
  if not prev or string.byte(prev, 1) ~= 91 then return '[' .. item .. ']', 1 end
  if not n then
    local items = array_items(prev)
    if not items then return '[' .. item .. ']', 1 end
    n = #items
  end
  local list
  if n == 0 then list = '[' .. item .. ']' else list = string.sub(prev, 1, -2) .. ',' .. item .. ']' end
  n = n + 1
  if n > limit then
    local pos = 2
    for _ = 1, n - limit do pos = scan_value(list, pos) + 2 end
    list = '[' .. string.sub(list, pos)
    n = limit
  end
  return list, n
end
`;

const LAST_ID = String.raw`
local function last_id(log)
  local last = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
  if last[1] then return last[1][1] end
  return ''
end
`;

/**
 * Appends a batch. KEYS: log, meta. ARGV: prefix, historySize, trimSlack, listLimit, dedupeTtlMs,
 * newEpoch, n, then 6 per event: topic, key, op, raw data ('' for delete), patch triples as a JSON
 * array of strings ('' unless patch), dedupeKey ('' for none).
 * Returns {epoch, id or '' (skipped duplicate) per event}.
 */
export const APPEND = script(
  'append',
  JSON_SCANNER +
    String.raw`
local log, meta = KEYS[1], KEYS[2]
local prefix = ARGV[1]
local history, slack, limit, ttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
redis.call('HSETNX', meta, 'epoch', ARGV[6])
local out = { redis.call('HGET', meta, 'epoch') }
local n = tonumber(ARGV[7])
for e = 0, n - 1 do
  local b = 8 + e * 6
  local topic, key, op, data, patch, dkey = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  if dkey ~= '' and not redis.call('SET', prefix .. 'dedupe:' .. dkey, '1', 'NX', 'PX', ttl) then
    out[#out + 1] = ''
  else
    local state, lens = prefix .. 'state:' .. topic, prefix .. 'len:' .. topic
    if op == 'delete' then
      out[#out + 1] = redis.call('XADD', log, '*', 't', topic, 'k', key, 'o', op)
      redis.call('HDEL', state, key)
      redis.call('HDEL', lens, key)
    else
      out[#out + 1] = redis.call('XADD', log, '*', 't', topic, 'k', key, 'o', op, 'd', data)
      if op == 'upsert' then
        redis.call('HSET', state, key, data)
        redis.call('HDEL', lens, key)
      elseif op == 'patch' then
        redis.call('HSET', state, key, merge(redis.call('HGET', state, key), cjson.decode(patch)))
        redis.call('HDEL', lens, key)
      else
        local list, count = push_bounded(redis.call('HGET', state, key), tonumber(redis.call('HGET', lens, key) or nil), data, limit)
        redis.call('HSET', state, key, list)
        redis.call('HSET', lens, key, count)
      end
    end
  end
end
-- Trim ourselves instead of XADD MAXLEN ~: the bus must know the id of the newest trimmed entry
-- (the floor), and XINFO's max-deleted-entry-id does not follow trimming on Redis 7.0.
local len = redis.call('XLEN', log)
if len > history + slack then
  local cut = len - history
  local gone = redis.call('XRANGE', log, '-', '+', 'COUNT', cut + 1)
  redis.call('HSET', meta, 'floor', gone[cut][1])
  redis.call('XTRIM', log, 'MINID', gone[cut + 1][1])
end
return out
`,
);

/**
 * A topic's state and the id of the last event it includes. KEYS: state hash, log. ARGV: '1' and the
 * keys to narrow to, or '0'. Returns {lastId or '', flat field/value list}.
 */
export const SNAPSHOT = script(
  'snapshot',
  LAST_ID +
    String.raw`
local items
if ARGV[1] == '1' then
  items = {}
  for i = 2, #ARGV do
    local v = redis.call('HGET', KEYS[1], ARGV[i])
    if v then
      items[#items + 1] = ARGV[i]
      items[#items + 1] = v
    end
  end
else
  items = redis.call('HGETALL', KEYS[1])
end
return { last_id(KEYS[2]), items }
`,
);

/**
 * The entries after an id that match the selectors, or why the log cannot prove it holds all of
 * them. KEYS: log, meta. ARGV: afterId (a valid `<ms>-<seq>`), then topic and key ('' = every key)
 * per selector. Filtering here spares Redis sending, and the relay parsing, other topics' events
 * when many clients resume at once. Returns {'ok', lastId, entries} | {'expired'} | {'epoch'}.
 */
export const READ_SINCE = script(
  'read-since',
  LAST_ID +
    String.raw`
local function cmp(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  if am ~= bm then return am < bm and -1 or 1 end
  if as ~= bs then return as < bs and -1 or 1 end
  return 0
end
local log, after = KEYS[1], ARGV[1]
local floor = redis.call('HGET', KEYS[2], 'floor') or '0-0'
local last = last_id(log)
if last == '' then
  if after == floor then return { 'ok', '', {} } end
  return { 'epoch' }
end
if cmp(after, last) > 0 then return { 'epoch' } end
local retained = after == floor or redis.call('XRANGE', log, after, after)[1] ~= nil
if not retained then
  if cmp(after, floor) < 0 then return { 'expired' } end
  -- Inside the retained range but never issued by this log: it belongs to another epoch.
  return { 'epoch' }
end
local topics, keys = {}, {}
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then topics[ARGV[i]] = true else keys[ARGV[i] .. '\0' .. ARGV[i + 1]] = true end
end
local entries, out = redis.call('XRANGE', log, '(' .. after, '+'), {}
for i = 1, #entries do
  -- Fields are written as t, topic, k, key, ... by the append script.
  local f = entries[i][2]
  if topics[f[2]] or keys[f[2] .. '\0' .. f[4]] then out[#out + 1] = entries[i] end
end
return { 'ok', last, out }
`,
);

/**
 * The tail's read: the log's epoch and trim floor, and the entries after an id, read together so the
 * tail can tell whether entries it never delivered were trimmed before it read them (a floor past its
 * position). KEYS: log, meta. ARGV: afterId, count. Returns {epoch or '', floor or '', entries}.
 */
export const READ_TAIL = script(
  'read-tail',
  String.raw`
local meta = redis.call('HMGET', KEYS[2], 'epoch', 'floor')
local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
return { meta[1] or '', meta[2] or '', entries }
`,
);

/**
 * The log's epoch (created if missing) and last id. KEYS: log, meta. ARGV: newEpoch.
 * Returns {epoch, lastId or ''}.
 */
export const HELLO = script(
  'hello',
  LAST_ID +
    String.raw`
redis.call('HSETNX', KEYS[2], 'epoch', ARGV[1])
return { redis.call('HGET', KEYS[2], 'epoch'), last_id(KEYS[1]) }
`,
);
