import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { RedisBroker } from '../../src/broker/broker-redis.js';
import type { BrokerMessage } from '../../src/broker/broker.js';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { brokerConformance } from '../support/broker-conformance.js';
import { eventually } from '../support/eventually.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
} from '../support/redis-server.js';

const redis = await findRedis();
if (redis.skip) console.log(`# skipping Redis broker tests: ${redis.skip}`);
const url = redis.url ?? '';
const silent = { info() {}, warn() {} };
after(stopSharedRedis);

if (!redis.skip) {
  for (const sharded of [false, true]) {
    brokerConformance(sharded ? 'redis, sharded pub/sub' : 'redis', async () => {
      const keyPrefix = uniquePrefix('broker');
      return {
        open: (processIndex) => RedisBroker.open({ url, keyPrefix, processIndex, sharded, logger: silent }),
        // Pub/sub leaves no keys behind.
        cleanup: async () => {},
      };
    });
  }
}

describe(
  'RedisBroker across a Redis restart',
  {
    skip: redis.skip ?? (hasRedisServerBinary() ? undefined : 'no redis-server binary to restart'),
  },
  () => {
    it('delivers locally and counts failed publishes while Redis is down, then resubscribes by itself', async () => {
      const server = await SpawnedRedis.start();
      const open = (processIndex: number): Promise<RedisBroker> =>
        RedisBroker.open({ url: server.url, processIndex, logger: silent });
      const [a, b] = await Promise.all([open(1), open(2)]);
      try {
        const atA: BrokerMessage[] = [];
        const atB: BrokerMessage[] = [];
        a.subscribe((m) => atA.push(m));
        b.subscribe((m) => atB.push(m));

        await server.kill();
        // The kill is seen when the connection drops; until then a publish may still leave.
        await eventually(
          () =>
            a.publish({ kind: 'all', message: 'probe' }).then(
              () => false,
              () => true,
            ),
          (failed) => failed,
          { what: 'a failing publish' },
        );
        await assert.rejects(
          a.publish({ kind: 'room', room: 'r', message: 'down' }),
          (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.Upstream,
        );
        assert.ok(
          atA.some((m) => m.message === 'down'),
          'local receivers still served',
        );
        assert.ok(a.stats.publishFailures >= 1);

        await server.restart();
        // Publish until one crosses: proves both the publisher reconnected and the subscriber resubscribed.
        await eventually(
          async () => {
            await a.publish({ kind: 'room', room: 'r', message: 'back' }).catch(() => undefined);
            return atB.some((m) => m.message === 'back');
          },
          (crossed) => crossed,
          { withinMs: 10_000, everyMs: 100, what: 'delivery after the restart' },
        );
        assert.ok(!atB.some((m) => m.message === 'down'), 'nothing published while down arrives later');
      } finally {
        await Promise.all([a.close(), b.close()]);
        await server.kill();
      }
    });
  },
);
