import { after, it } from 'node:test';
import { RedisBroker } from '../../src/redis/broker-redis.js';
import { brokerConformance } from '../support/broker-conformance.js';
import { brokerOutageScenario } from '../support/broker-outage.js';
import {
  findRedis,
  hasRedisServerBinary,
  SpawnedRedis,
  stopSharedRedis,
  uniquePrefix,
} from '../support/redis-server.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

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

describeOrSkip(
  'RedisBroker across a Redis restart',
  {
    skip: redis.skip ?? (hasRedisServerBinary() ? undefined : 'no redis-server binary to restart'),
  },
  () => {
    it('delivers locally and counts failed publishes while Redis is down, then resubscribes by itself', async () => {
      const server = await SpawnedRedis.start();
      const open = (processIndex: number): Promise<RedisBroker> =>
        RedisBroker.open({ url: server.url, processIndex, logger: silent });
      try {
        await brokerOutageScenario(server, open);
      } finally {
        await server.kill();
      }
    });
  },
);
