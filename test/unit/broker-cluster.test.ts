import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterBroker } from '../../src/cluster/broker-cluster.js';
import type { BrokerMessage } from '../../src/broker/broker.js';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { IpcDouble } from '../support/ipc-double.js';
import { brokerConformance } from '../support/broker-conformance.js';

const quiet = { warn() {} };

brokerConformance('cluster (worker side, over an in-memory cluster channel)', async () => {
  const ipc = new IpcDouble();
  return {
    open: async (index) => new ClusterBroker(index, quiet, ipc.worker(index)),
    cleanup: () => ipc.close(),
  };
});

describe('ClusterBroker', () => {
  it('with the channel to the primary cut, delivers locally, rejects with UPSTREAM_ERROR and counts it', async () => {
    const ipc = new IpcDouble();
    const channel = ipc.worker(1);
    const broker = new ClusterBroker(1, quiet, channel);
    const got: BrokerMessage[] = [];
    broker.subscribe((m) => got.push(m));
    channel.disconnect();
    assert.equal(broker.connected, false);
    await assert.rejects(
      broker.publish({ kind: 'room', room: 'r', message: 'local only' }),
      (err: unknown) => err instanceof GatewayError && err.code === ErrorCode.Upstream,
    );
    assert.deepEqual(got, [{ kind: 'room', room: 'r', message: 'local only' }]);
    assert.equal(broker.stats.publishFailures, 1);
    assert.deepEqual(ipc.received, []);
    await broker.close();
    await ipc.close();
  });

  it('hands the primary each message once, encoded, with its target', async () => {
    const ipc = new IpcDouble();
    const broker = new ClusterBroker(1, quiet, ipc.worker(1));
    await broker.publish({ kind: 'conn', conn: 2 * 2 ** 32 + 7, message: 'direct' });
    await broker.publish({ kind: 'all', message: 'everyone' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      ipc.received.map((m) => (m.tws === 'publish' ? m.target : m.tws)),
      [{ to: 'process', process: 2 }, { to: 'all' }],
    );
    await broker.close();
    await ipc.close();
  });

  it('skips IPC traffic that is not a delivery, and counts malformed deliveries', async () => {
    const ipc = new IpcDouble();
    const channel = ipc.worker(1);
    const broker = new ClusterBroker(1, quiet, channel);
    const got: BrokerMessage[] = [];
    broker.subscribe((m) => got.push(m));
    channel.deliver({ type: 'app-traffic' });
    channel.deliver({ tws: 'store-reply', id: 1, ok: true, value: 1 });
    channel.deliver({ tws: 'deliver', text: 'not a broker message' });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, []);
    assert.equal(broker.stats.malformed, 1);
    await broker.close();
    assert.equal(channel.listenerCount, 0);
    await ipc.close();
  });
});
