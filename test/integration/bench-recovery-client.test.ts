/**
 * The recovery benchmark's wire client (bench/recovery/client.ts) against its memory-engine server: a position from
 * the first subscribe, publications meanwhile, and a reconnect that the benchmark judges a full recovery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BenchServer } from '../../bench/fanout/servers/server.js';
import { startTarsWsRecovery } from '../../bench/fanout/servers/tars-ws-recovery-server.js';
import { closeAndWait, recoveryProblem, subscribe } from '../../bench/recovery/client.js';

const CHANNEL = 'ns:x';
const TIMEOUT_MS = 5000;

describe('bench recovery client', () => {
  let server: BenchServer;

  before(async () => {
    server = await startTarsWsRecovery();
  });
  after(async () => {
    await server.close();
  });

  it('recovers the publications made while it was away', async () => {
    const first = await subscribe(server.url, CHANNEL, undefined, TIMEOUT_MS);
    assert.equal(first.result.recoverable, true);
    const since = { epoch: first.result.epoch ?? '', offset: first.result.offset ?? 0 };
    await closeAndWait(first.ws);
    for (let n = 1; n <= 3; n++) {
      const res = await fetch(`${server.url}/api/publish`, {
        method: 'POST',
        body: JSON.stringify({ channel: CHANNEL, data: { n } }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      assert.equal(res.status, 200);
    }
    const back = await subscribe(server.url, CHANNEL, since, TIMEOUT_MS);
    await closeAndWait(back.ws);
    assert.equal(recoveryProblem(back.result, since, 3), undefined);
  });
});
