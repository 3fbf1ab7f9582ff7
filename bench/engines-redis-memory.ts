/**
 * What the Redis history and presence engines cost in Redis memory, measured with MEMORY USAGE (exact: SAMPLES 0)
 * on a redis-server started for the run (or TEST_REDIS_URL), and with INFO's used_memory for many channels (which
 * also counts the keyspace's own overhead per key). Prints a table and writes bench/results/engines-redis-memory.md.
 *
 *   npm run bench:engines-memory                              # Redis defaults
 *   STREAM_NODE_MAX_BYTES=512 npm run bench:engines-memory    # smaller stream nodes (less per sparse channel)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { RedisHistoryStore } from '../src/redis/history-store-redis.js';
import { RedisPresenceStore } from '../src/redis/presence-store-redis.js';
import { machineInfo, resultsHeader } from './fanout/machine.js';
import { SpawnedRedis, uniquePrefix, wipePrefix } from '../test/support/redis-server.js';

// Redis preallocates a stream's first node at stream-node-max-bytes (4096 by default): the cost of sparse channels.
const nodeBytes = process.env.STREAM_NODE_MAX_BYTES;
const startedAt = new Date();
const machine = machineInfo();
const spawned = process.env.TEST_REDIS_URL
  ? undefined
  : await SpawnedRedis.start(undefined, nodeBytes ? ['--stream-node-max-bytes', nodeBytes] : []);
// A failed run must not leave its redis-server behind.
process.once('exit', () => void spawned?.kill());
const url = process.env.TEST_REDIS_URL ?? spawned!.url;
const raw = new Redis(url);
const silent = { info() {}, warn() {} };
const keyPrefix = uniquePrefix('mem');
const history = await RedisHistoryStore.open({ url, keyPrefix, logger: silent });
const presence = await RedisPresenceStore.open({ url, keyPrefix, logger: silent, ttlMs: 60_000 });
const usage = async (key: string): Promise<number> =>
  Number(await raw.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
const usedMemory = async (): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
// A typical chat message with its publisher: 100 bytes of data JSON plus the client info.
const data = JSON.stringify({ text: 'x'.repeat(86) });
const info = { user: 'user-12345', client: '3f2a9c1e-8d4b-4f7a-9e21-6b5c4d3a2f10' };
const opts = { size: 1000, ttlMs: 600_000 };

const rows: [string, string][] = [];
const row = (what: string, bytes: number): void => void rows.push([what, `${Math.round(bytes)} B`]);

// History: one channel's meta and stream as publications accumulate.
await history.append('h1', { data, json: true, info }, opts);
const meta = await usage(history.keys.historyMeta('h1'));
const stream1 = await usage(history.keys.historyStream('h1'));
for (let i = 1; i < 100; i++) await history.append('h1', { data, json: true, info }, opts);
const stream100 = await usage(history.keys.historyStream('h1'));
for (let i = 100; i < 1000; i++) await history.append('h1', { data, json: true, info }, opts);
const stream1000 = await usage(history.keys.historyStream('h1'));
row('history: position hash (epoch + top offset) per channel', meta);
row('history: stream with 1 publication', stream1);
row('history: per publication, 100-byte data + client info (stream of 100)', (stream100 - stream1) / 99);
row('history: per publication, same (stream of 1000)', (stream1000 - stream1) / 999);
await history.append('h2', { data, json: true, idempotencyKey: 'order-1234567890' }, opts);
row(
  'history: per idempotency key held (window)',
  await usage(history.keys.historyIdempotency('h2', 'order-1234567890')),
);

// Many channels, one publication each: what the keyspace adds per channel on top of the values.
const before = await usedMemory();
const channels = 10_000;
for (let i = 0; i < channels; i++) await history.append(`many:${i}`, { data, json: true, info }, opts);
row(
  `history: per channel with 1 publication, used_memory over ${channels} channels`,
  ((await usedMemory()) - before) / channels,
);

// Presence: one channel's three keys as clients join.
const pk = (ch: string): string[] => [
  presence.keys.presenceClients(ch),
  presence.keys.presenceExpiry(ch),
  presence.keys.presenceUsers(ch),
];
const presenceUsage = async (ch: string): Promise<number> =>
  (await Promise.all(pk(ch).map(usage))).reduce((a, b) => a + b, 0);
await presence.add('p1', 'c0', { ...info, client: 'c0-3f2a9c1e-8d4b-4f7a-9e21-6b5c4d3a2f10' });
const p1 = await presenceUsage('p1');
for (let i = 1; i < 100; i++)
  await presence.add('p1', `c${i}-3f2a9c1e-8d4b-4f7a-9e21-6b5c4d3a2f10`, {
    user: `user-${i}`,
    client: `c${i}`,
  });
const p100 = await presenceUsage('p1');
row('presence: channel with 1 client (3 keys)', p1);
row('presence: per client, own user (hash + zset + user count)', (p100 - p1) / 99);

await presence.close();
await history.close();
await wipePrefix(url, keyPrefix);
raw.disconnect();
await spawned?.kill();

const server = `${spawned ? 'redis-server started for the run (no persistence)' : url}, stream-node-max-bytes ${nodeBytes ?? '4096 (default)'}`;
const table = ['| what | Redis memory |', '|---|---|', ...rows.map(([w, b]) => `| ${w} |  ${b} |`)].join(
  '\n',
);
console.log(table);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/engines-redis-memory${nodeBytes ? `-node${nodeBytes}` : ''}.md`,
  `# Redis memory of the history and presence engines

${resultsHeader(machine, `${nodeBytes ? `STREAM_NODE_MAX_BYTES=${nodeBytes} ` : ''}npm run bench:engines-memory`, startedAt)}

Server: ${server}. MEMORY USAGE ... SAMPLES 0 per key; the per-channel line is INFO used_memory over many channels
(keyspace overhead included). A publication is 100 bytes of JSON data plus its client info.

${table}
`,
);
