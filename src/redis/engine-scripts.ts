/**
 * The Lua scripts of the history and presence engines, after Centrifugo's (broker_history_add_stream.lua,
 * presence_*.lua). Each touches one channel's keys only (same hash tag), so it is atomic on a Redis Cluster too, and
 * each operation is one EVALSHA. Times come from the Redis clock (TIME), so nodes with skewed clocks agree.
 */
import type { RedisClient } from './redis-client.js';
import { defineScripts, type ScriptCall } from './scripts.js';

/**
 * append: KEYS stream, meta, idempotency; ARGV publication JSON, size, ttlMs, metaTtlMs, new epoch, window ms
 * (0: no idempotency key). Returns {offset, epoch, 1 if a duplicate else 0}.
 */
const HISTORY_APPEND = `
if ARGV[6] ~= '0' then
  local seen = redis.call('HMGET', KEYS[3], 'o', 'e')
  if seen[1] then return {tonumber(seen[1]), seen[2], 1} end
end
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[5]
  redis.call('HSET', KEYS[2], 'e', epoch)
end
local offset = redis.call('HINCRBY', KEYS[2], 's', 1)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
-- A new epoch: whatever stream is left belongs to the lost one (the meta key was evicted before the stream).
if offset == 1 then redis.call('DEL', KEYS[1]) end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], offset .. '-0', 'p', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[6] ~= '0' then
  redis.call('HSET', KEYS[3], 'o', offset, 'e', epoch)
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return {offset, epoch, 0}`;

/**
 * read: KEYS stream, meta; ARGV since offset ('' for none), limit (-1 all, 0 position only), reverse '1'/'0',
 * metaTtlMs, new epoch. Returns {top offset, epoch, entries}. Creates the epoch when missing (see HistoryStore).
 */
const HISTORY_READ = `
local meta = redis.call('HMGET', KEYS[2], 'e', 's')
local epoch, top = meta[1], tonumber(meta[2] or '0')
if not epoch then
  epoch = ARGV[5]
  top = 0
  redis.call('HSET', KEYS[2], 'e', epoch)
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local limit = tonumber(ARGV[2])
if limit == 0 then return {top, epoch, {}} end
local entries
if ARGV[3] == '0' then
  local from = ARGV[1] == '' and '-' or ('(' .. ARGV[1] .. '-0')
  if limit > 0 then entries = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', limit)
  else entries = redis.call('XRANGE', KEYS[1], from, '+') end
else
  local to = ARGV[1] == '' and '+' or ('(' .. ARGV[1] .. '-0')
  if limit > 0 then entries = redis.call('XREVRANGE', KEYS[1], to, '-', 'COUNT', limit)
  else entries = redis.call('XREVRANGE', KEYS[1], to, '-') end
end
return {top, epoch, entries}`;

/** Drops a channel's expired presence entries (KEYS clients, expiry, users), keeping the user counts right. */
const PRESENCE_DROP_EXPIRED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function uncount(user)
  if redis.call('HINCRBY', KEYS[3], user, -1) <= 0 then redis.call('HDEL', KEYS[3], user) end
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, client in ipairs(gone) do
  local entry = redis.call('HGET', KEYS[1], client)
  if entry then
    uncount(cjson.decode(entry).user)
    redis.call('HDEL', KEYS[1], client)
  end
end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) end`;

/**
 * add: KEYS clients, expiry, users; ARGV ttlMs, then (client, user, info JSON) per entry. Adds or refreshes the
 * entries (the heartbeat re-adds every entry of its process, which also restores them after Redis lost them).
 */
const PRESENCE_ADD = `${PRESENCE_DROP_EXPIRED}
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  local client, user = ARGV[i], ARGV[i + 1]
  local previous = redis.call('HGET', KEYS[1], client)
  local before = previous and cjson.decode(previous).user
  if before ~= user then
    if before then uncount(before) end
    redis.call('HINCRBY', KEYS[3], user, 1)
  end
  redis.call('HSET', KEYS[1], client, ARGV[i + 2])
  redis.call('ZADD', KEYS[2], now + ttl, client)
end
for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], ttl) end
return 0`;

/** remove: KEYS clients, expiry, users; ARGV client. */
const PRESENCE_REMOVE = `${PRESENCE_DROP_EXPIRED}
local entry = redis.call('HGET', KEYS[1], ARGV[1])
if entry then
  uncount(cjson.decode(entry).user)
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 0`;

/** get: KEYS clients, expiry, users. The live entries as HGETALL's flat [client, info, ...]. */
const PRESENCE_GET = `${PRESENCE_DROP_EXPIRED}
return redis.call('HGETALL', KEYS[1])`;

/** stats: KEYS clients, expiry, users. {clients, users}. */
const PRESENCE_STATS = `${PRESENCE_DROP_EXPIRED}
return {redis.call('HLEN', KEYS[1]), redis.call('HLEN', KEYS[3])}`;

const DEFINITIONS = {
  twsHistoryAppend: [3, HISTORY_APPEND],
  twsHistoryRead: [2, HISTORY_READ],
  twsPresenceAdd: [3, PRESENCE_ADD],
  twsPresenceRemove: [3, PRESENCE_REMOVE],
  twsPresenceGet: [3, PRESENCE_GET],
  twsPresenceStats: [3, PRESENCE_STATS],
} as const;

export interface HistoryScripts {
  append: ScriptCall;
  read: ScriptCall;
}

export interface PresenceScripts {
  add: ScriptCall;
  remove: ScriptCall;
  get: ScriptCall;
  stats: ScriptCall;
}

export function defineHistoryScripts(client: RedisClient): HistoryScripts {
  const bound = defineScripts(client, DEFINITIONS);
  return { append: bound(client, 'twsHistoryAppend'), read: bound(client, 'twsHistoryRead') };
}

export function definePresenceScripts(client: RedisClient): PresenceScripts {
  const bound = defineScripts(client, DEFINITIONS);
  return {
    add: bound(client, 'twsPresenceAdd'),
    remove: bound(client, 'twsPresenceRemove'),
    get: bound(client, 'twsPresenceGet'),
    stats: bound(client, 'twsPresenceStats'),
  };
}
