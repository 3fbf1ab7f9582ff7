/**
 * Backends load only when configured: a process that imports the package entry and runs a memory-only gateway
 * loads neither ioredis, nor nats, nor proper-lockfile. Each case is a fresh child process whose module hooks record
 * every module it resolves (test/support/backend-loading-probe.ts); the counter-cases show the same probe does see a
 * client when its backend is configured, so an empty answer means something.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  findNats,
  removeBucket,
  uniqueSubjectPrefix,
  type NatsAvailability,
} from '../support/nats-server.js';
import {
  findRedis,
  stopSharedRedis,
  uniquePrefix,
  wipePrefix,
  type RedisAvailability,
} from '../support/redis-server.js';

const PROBE = fileURLToPath(new URL('../support/backend-loading-probe.ts', import.meta.url));
const MARKER = 'backend-probe ';

interface ProbeResult {
  modules: string[];
  clients: string[];
}

/** Runs the probe with `env` (ROOM_STORE, BROKER, ...) and returns what it loaded. */
async function probe(env: Record<string, string>): Promise<ProbeResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    timeout: 20_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  assert.ok(line, `the probe printed no result line: ${stdout}`);
  return JSON.parse(line.slice(MARKER.length)) as ProbeResult;
}

describe('backends load only when configured', () => {
  let redis: RedisAvailability;
  let nats: NatsAvailability;
  before(async () => {
    [redis, nats] = await Promise.all([findRedis(), findNats()]);
  });
  after(() => stopSharedRedis());

  it('a memory-only gateway loads neither ioredis, nor nats, nor proper-lockfile', async () => {
    const result = await probe({ ROOM_STORE: 'memory', BROKER: 'local' });
    // The probe saw the gateway itself being loaded, so it was recording.
    assert.ok(
      result.modules.some((m) => m.endsWith('/src/gateway/gateway.ts')),
      'the probe recorded nothing',
    );
    assert.ok(result.modules.some((m) => m.includes('/node_modules/ws/')));
    assert.deepEqual(result.clients, []);
  });

  it('the same probe sees ioredis when the room store is Redis', async (t) => {
    if (!redis.url) return t.skip(redis.skip);
    const prefix = uniquePrefix('backend-loading');
    try {
      const result = await probe({ ROOM_STORE: 'redis', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
      assert.deepEqual(result.clients, ['ioredis']);
    } finally {
      await wipePrefix(redis.url, prefix);
    }
  });

  it('the same probe sees nats when the broker is NATS', async (t) => {
    if (!nats.url) return t.skip(nats.skip);
    const prefix = uniqueSubjectPrefix('backend_loading');
    try {
      const result = await probe({ BROKER: 'nats', NATS_URL: nats.url, NATS_SUBJECT_PREFIX: prefix });
      assert.deepEqual(result.clients, ['nats']);
    } finally {
      await removeBucket(nats.url, prefix);
    }
  });
});
