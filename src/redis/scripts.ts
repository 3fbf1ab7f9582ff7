/**
 * The Lua scripts of the Redis room store. Each membership change touches several keys (room set, connection set,
 * room list, process set), so each is one script: atomic, one round trip, and no half-applied change when a
 * connection drops mid-way. Scripts build some key names from the prefix, so the store needs one Redis (or one
 * Cluster shard); see docs/scaling.md.
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/** add(room, conn): KEYS room, conn, rooms, procConns, procs; ARGV conn, room, proc. 1 if new, else 0. */
const ADD = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[3])
return 1`;

/** remove(room, conn): KEYS room, conn, rooms, procConns; ARGV conn, room. 1 if it was a member, else 0. */
const REMOVE = `
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[4], ARGV[1]) end
return 1`;

/** Shared by removeConnection and the sweeper: takes one connection out of every room; returns its rooms. */
const LEAVE_ALL = `
local function leaveAll(prefix, roomsKey, conn)
  local connKey = prefix .. 'conn:' .. conn
  local rooms = redis.call('SMEMBERS', connKey)
  for _, room in ipairs(rooms) do
    local roomKey = prefix .. 'room:' .. room
    redis.call('SREM', roomKey, conn)
    if redis.call('SCARD', roomKey) == 0 then redis.call('SREM', roomsKey, room) end
  end
  redis.call('DEL', connKey)
  return rooms
end`;

/** removeConnection(conn): KEYS conn, rooms, procConns; ARGV conn, prefix. The rooms it left. */
const REMOVE_CONNECTION = `${LEAVE_ALL}
local rooms = leaveAll(ARGV[2], KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return rooms`;

/**
 * sweep(proc): KEYS procConns, alive, rooms, procs; ARGV prefix, proc, batch. Removes up to `batch` connections of a
 * process whose liveness key is gone; -1 when the process is alive, else the connections still left. Batches keep
 * each script short, so Redis never stalls on a process that held many connections.
 */
const SWEEP = `${LEAVE_ALL}
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local conns = redis.call('SPOP', KEYS[1], tonumber(ARGV[3]))
for _, conn in ipairs(conns) do leaveAll(ARGV[1], KEYS[3], conn) end
local left = redis.call('SCARD', KEYS[1])
if left == 0 then redis.call('SREM', KEYS[4], ARGV[2]) end
return left`;

/** raiseSeq(seq, index): KEYS processSeq; ARGV index. Keeps the counter above a live index after a Redis restart. */
const RAISE_SEQ = `
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
if seq < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`;

type Arg = string | number;
/** A script bound to a client: ioredis runs EVALSHA and falls back to EVAL after a restart emptied the cache. */
export type ScriptCall = (...args: Arg[]) => Promise<unknown>;

export interface StoreScripts {
  add: ScriptCall;
  remove: ScriptCall;
  removeConnection: ScriptCall;
  sweep: ScriptCall;
  raiseSeq: ScriptCall;
  /** The same scripts queued on a pipeline (`pipelined(p).add(...)`). */
  pipelined(
    pipeline: ChainableCommander,
  ): Record<'add' | 'remove' | 'removeConnection', (...args: Arg[]) => void>;
}

const DEFINITIONS = {
  twsAdd: [5, ADD],
  twsRemove: [4, REMOVE],
  twsRemoveConnection: [3, REMOVE_CONNECTION],
  twsSweep: [4, SWEEP],
  twsRaiseSeq: [1, RAISE_SEQ],
} as const;

/**
 * Registers Lua scripts on a client (ioredis `defineCommand`: EVALSHA, EVAL after a restart emptied the script
 * cache) and returns a way to reach each, on the client or on a pipeline of it.
 */
export function defineScripts<Name extends string>(
  client: RedisClient,
  definitions: Record<Name, readonly [numberOfKeys: number, lua: string]>,
): (target: object, name: Name) => ScriptCall {
  for (const [name, [numberOfKeys, lua]] of Object.entries(definitions) as [
    string,
    readonly [number, string],
  ][]) {
    client.defineCommand(name, { numberOfKeys, lua });
  }
  // defineCommand adds methods ioredis cannot type; this is the one place that reaches them.
  return (target, name) => {
    const fn = (target as Record<string, ScriptCall>)[name];
    if (typeof fn !== 'function') throw new Error(`redis script ${name} not defined`);
    return fn.bind(target);
  };
}

/** Registers the room store's scripts on a client and returns typed callers. */
export function defineStoreScripts(client: RedisClient): StoreScripts {
  const bound = defineScripts(client, DEFINITIONS);
  return {
    add: bound(client, 'twsAdd'),
    remove: bound(client, 'twsRemove'),
    removeConnection: bound(client, 'twsRemoveConnection'),
    sweep: bound(client, 'twsSweep'),
    raiseSeq: bound(client, 'twsRaiseSeq'),
    pipelined: (pipeline) => ({
      add: bound(pipeline, 'twsAdd'),
      remove: bound(pipeline, 'twsRemove'),
      removeConnection: bound(pipeline, 'twsRemoveConnection'),
    }),
  };
}
