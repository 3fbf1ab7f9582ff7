import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../src/broker/broker-memory-double.js';
import type { BrokerMessage } from '../../src/broker/broker.js';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { brokerConformance } from '../support/broker-conformance.js';

brokerConformance('memory bus double', async () => {
  const bus = new MemoryBus();
  return { open: async (index) => bus.broker(index), cleanup: async () => {} };
});

describe('MemoryBus', () => {
  it('refuses two brokers with the same process index', () => {
    const bus = new MemoryBus();
    bus.broker(1);
    assert.throws(() => bus.broker(1));
  });

  it('while down, delivers locally, rejects with UPSTREAM_ERROR and counts the failure', async () => {
    const bus = new MemoryBus();
    const [a, b] = [bus.broker(1), bus.broker(2)];
    const got: BrokerMessage[] = [];
    a.subscribe((m) => got.push(m));
    b.subscribe(() => assert.fail('nothing crosses a bus that is down'));
    bus.up = false;
    await assert.rejects(
      a.publish({ kind: 'room', room: 'r', message: 'local only' }),
      (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.Upstream,
    );
    assert.deepEqual(got, [{ kind: 'room', room: 'r', message: 'local only' }]);
    assert.equal(a.stats.publishFailures, 1);
  });

  it('carries messages again once the bus is back', async () => {
    const bus = new MemoryBus();
    const [a, b] = [bus.broker(1), bus.broker(2)];
    bus.up = false;
    await a.publish({ kind: 'all', message: 'lost' }).catch(() => undefined);
    bus.up = true;
    const arrived = new Promise<BrokerMessage>((resolve) => b.subscribe(resolve));
    await a.publish({ kind: 'all', message: 'back' });
    assert.deepEqual(await arrived, { kind: 'all', message: 'back' });
    assert.equal(a.stats.published, 1);
  });

  it('keeps a failing receiver from failing the publish', async () => {
    const bus = new MemoryBus();
    const a = bus.broker(1);
    a.subscribe(() => {
      throw new Error('receiver bug');
    });
    await a.publish({ kind: 'all', message: 'x' });
  });
});
