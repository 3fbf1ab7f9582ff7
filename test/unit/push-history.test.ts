import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalBroker } from '../../src/broker/broker-local.js';
import type { BrokerMessage } from '../../src/broker/broker.js';
import { defaultConfig } from '../../src/config/options.js';
import { PushCallers, PushService } from '../../src/gateway/push.js';

function service(): { push: PushService; got: BrokerMessage[] } {
  const broker = new LocalBroker();
  const got: BrokerMessage[] = [];
  broker.subscribe((m) => got.push(m));
  return { push: new PushService(defaultConfig(), broker), got };
}

describe('room publications and history', () => {
  it('publishes with the position the history gave it and returns that position', async () => {
    const { push, got } = service();
    let next = 0;
    push.useHistory((room) =>
      room === 'kept' ? Promise.resolve({ offset: ++next, epoch: 'e' }) : undefined,
    );
    assert.deepEqual(await push.toRoom(PushCallers.server, 'kept', 'a', { json: false }), {
      offset: 1,
      epoch: 'e',
    });
    assert.deepEqual(await push.toRoom(PushCallers.server, 'plain', 'b'), {});
    assert.deepEqual(got, [
      { kind: 'room', room: 'kept', message: 'a', pub: { json: false, offset: 1, epoch: 'e' } },
      { kind: 'room', room: 'plain', message: 'b' },
    ]);
  });

  it('publishes a retry with a seen idempotency key once, answering the first position', async () => {
    const { push, got } = service();
    const seen = new Map<string, number>();
    push.useHistory((_room, _message, _pub, key) => {
      const first = key === undefined ? undefined : seen.get(key);
      if (first !== undefined) return Promise.resolve({ offset: first, epoch: 'e', duplicate: true });
      if (key !== undefined) seen.set(key, 1);
      return Promise.resolve({ offset: 1, epoch: 'e' });
    });
    const once = { idempotencyKey: 'k1' };
    assert.deepEqual(await push.toRoom(PushCallers.server, 'r', 'x', undefined, once), {
      offset: 1,
      epoch: 'e',
    });
    assert.deepEqual(await push.toRoom(PushCallers.server, 'r', 'x', undefined, once), {
      offset: 1,
      epoch: 'e',
    });
    assert.equal(got.length, 1);
  });

  it('skips the history for a publication that asks so', async () => {
    const { push, got } = service();
    push.useHistory(() => Promise.resolve({ offset: 1, epoch: 'e' }));
    assert.deepEqual(await push.toRoom(PushCallers.server, 'r', 'x', undefined, { skipHistory: true }), {});
    assert.deepEqual(got, [{ kind: 'room', room: 'r', message: 'x' }]);
  });

  it('still delivers a publication the history store refused, without a position, and counts it', async () => {
    const { push, got } = service();
    const refused: string[] = [];
    push.onNotStored = (room) => refused.push(room);
    push.useHistory(async () => {
      throw new Error('history store down');
    });
    assert.deepEqual(await push.toRoom(PushCallers.server, 'r', 'x'), {});
    assert.deepEqual(got, [{ kind: 'room', room: 'r', message: 'x' }]);
    assert.equal(push.notStored, 1);
    assert.deepEqual(refused, ['r']);
  });
});
