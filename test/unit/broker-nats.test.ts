import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from 'nats';
import { NatsBroker } from '../../src/nats/broker-nats.js';
import { loadConfig } from '../../src/index.js';
import { ConfigError } from '../../src/errors.js';
import { openBackends } from '../../src/platform/backends.js';
import { createLogger } from '../../src/logger.js';
import { natsUrlOptions } from '../../src/nats/nats-client.js';
import { MemoryRoomStore } from '../../src/store/room-store-memory.js';
import { brokerConformance } from '../support/broker-conformance.js';
import { brokerOutageScenario } from '../support/broker-outage.js';
import { eventually } from '../support/eventually.js';
import { startGateway, TestClient, wsUrl } from '../support/gateway.js';
import {
  findNats,
  hasNatsServerBinary,
  removeBucket,
  SpawnedNats,
  uniqueSubjectPrefix,
} from '../support/nats-server.js';
import { describeOrSkip } from '../support/describe-or-skip.js';

const nats = await findNats();
if (nats.skip) console.log(`# skipping NATS broker tests: ${nats.skip}`);
const url = nats.url ?? '';
const silent = { info() {}, warn() {} };
const logger = createLogger('silent');

if (!nats.skip) {
  brokerConformance('nats', async () => {
    const subjectPrefix = uniqueSubjectPrefix('broker');
    return {
      open: (processIndex) => NatsBroker.open({ url, subjectPrefix, processIndex, logger: silent }),
      // Core pub/sub leaves nothing behind.
      cleanup: async () => {},
    };
  });
}

describeOrSkip('NatsBroker process index claims', { skip: nats.skip }, () => {
  it('gives brokers opened without an index distinct claimed indexes, and frees a claim on close', async () => {
    const subjectPrefix = uniqueSubjectPrefix('claims');
    const open = (): Promise<NatsBroker> => NatsBroker.open({ url, subjectPrefix, logger: silent });
    const brokers = await Promise.all([open(), open(), open()]);
    const nc = await connect({ servers: url });
    try {
      const indexes = brokers.map((b) => b.processIndex);
      assert.equal(new Set(indexes).size, 3);
      for (const i of indexes) assert.ok(i >= 1, `index ${i} is not 0`);
      const kv = await nc.jetstream().views.kv(brokers[0]!.subjects.processBucket);
      assert.equal((await kv.get(String(indexes[0])))?.operation, 'PUT');
      await brokers[0]!.close();
      assert.notEqual((await kv.get(String(indexes[0])))?.operation, 'PUT');
    } finally {
      await Promise.all(brokers.map((b) => b.close()));
      await nc.close();
      await removeBucket(url, subjectPrefix);
    }
  });
  it('claims its index again when the claim disappears from NATS (expired, or NATS emptied)', async () => {
    const subjectPrefix = uniqueSubjectPrefix('reclaim');
    const broker = await NatsBroker.open({ url, subjectPrefix, claimTtlMs: 1500, logger: silent });
    const nc = await connect({ servers: url });
    try {
      const kv = await nc.jetstream().views.kv(broker.subjects.processBucket);
      const key = String(broker.processIndex);
      await kv.purge(key);
      await eventually(
        async () => (await kv.get(key))?.operation,
        (op) => op === 'PUT',
        { what: 'the claim taken again' },
      );
    } finally {
      await broker.close();
      await nc.close();
      await removeBucket(url, subjectPrefix);
    }
  });
});

describe('openBackends with NATS', () => {
  it('refuses a bad NATS_URL or subject prefix at start, naming the key, before connecting anywhere', async () => {
    const bad: [Record<string, string>, string][] = [
      [{ NATS_URL: '127.0.0.1:4222' }, 'natsUrl'],
      [{ NATS_URL: 'http://localhost' }, 'natsUrl'],
      [{ NATS_URL: 'nats://' }, 'natsUrl'],
      [{ NATS_SUBJECT_PREFIX: 'a.*' }, 'natsSubjectPrefix'],
      [{ NATS_SUBJECT_PREFIX: 'has space' }, 'natsSubjectPrefix'],
      [{ NATS_SUBJECT_PREFIX: 'trailing.' }, 'natsSubjectPrefix'],
    ];
    for (const [env, key] of bad) {
      const config = loadConfig({ env: { BROKER: 'nats', ...env } });
      await assert.rejects(
        openBackends(config, logger),
        (err: unknown) => err instanceof ConfigError && err.key === key,
        JSON.stringify(env),
      );
    }
  });

  it('turns the credentials and tls: scheme of NATS_URL into nats.js options, which ignores them in URLs', () => {
    assert.deepEqual(natsUrlOptions('nats://127.0.0.1:4222'), { servers: ['127.0.0.1:4222'] });
    assert.deepEqual(natsUrlOptions('nats://u%40x:p%3Aw@a:1, nats://b:2'), {
      servers: ['a:1', 'b:2'],
      user: 'u@x',
      pass: 'p:w',
    });
    assert.deepEqual(natsUrlOptions('tls://s3cret@h:4443'), {
      servers: ['h:4443'],
      token: 's3cret',
      tls: {},
    });
  });

  it(
    'opens a NATS broker over the memory store with an index claimed in NATS',
    { skip: nats.skip },
    async () => {
      const prefix = uniqueSubjectPrefix('backends');
      const config = loadConfig({ env: { BROKER: 'nats', NATS_URL: url, NATS_SUBJECT_PREFIX: prefix } });
      const first = await openBackends(config, logger);
      const second = await openBackends(config, logger);
      try {
        assert.ok(first.store instanceof MemoryRoomStore);
        assert.ok(first.broker instanceof NatsBroker);
        assert.equal(first.processIndex, first.broker.processIndex);
        assert.notEqual(first.processIndex, second.processIndex);
      } finally {
        await Promise.all([first, second].flatMap((b) => [b.store.close(), b.broker.close()]));
        await removeBucket(url, prefix);
      }
    },
  );
});

describeOrSkip('two gateway nodes over NATS', { skip: nats.skip }, () => {
  it('delivers a room message from node A once to a member on node B', async () => {
    const prefix = uniqueSubjectPrefix('nodes');
    const overrides = {
      broker: 'nats',
      natsUrl: url,
      natsSubjectPrefix: prefix,
      roomStore: 'memory',
    } as const;
    const a = await startGateway(overrides);
    const b = await startGateway(overrides);
    const clients: TestClient[] = [];
    try {
      assert.notEqual(a.processIndex, b.processIndex);
      const sender = await TestClient.open(wsUrl(a));
      const member = await TestClient.open(wsUrl(b));
      clients.push(sender, member);
      await sender.subscribe('r1');
      await member.subscribe('r1');
      const got = member.waitFor('over nats');
      await sender.request('sendByRoom|{"roomNum":"r1","message":"over nats"}');
      await got;
      // A second message from the same publisher arrives after any duplicate of the first would have.
      const after = member.waitFor('after');
      await sender.request('sendByRoom|{"roomNum":"r1","message":"after"}');
      await after;
      assert.equal(member.received.filter((m) => m === 'over nats').length, 1);
      assert.equal(sender.received.filter((m) => m === 'over nats').length, 1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all([a.close(), b.close()]);
      await removeBucket(url, prefix);
    }
  });
});

describeOrSkip(
  'NatsBroker across a NATS restart',
  { skip: hasNatsServerBinary() ? undefined : 'no nats-server binary to restart' },
  () => {
    it('delivers locally and counts failed publishes while NATS is down, then resubscribes by itself', async () => {
      const server = await SpawnedNats.start();
      const open = (processIndex: number): Promise<NatsBroker> =>
        NatsBroker.open({ url: server.url, processIndex, logger: silent, nats: { reconnectTimeWait: 100 } });
      try {
        await brokerOutageScenario(server, open);
      } finally {
        await server.stop();
      }
    });
  },
);
