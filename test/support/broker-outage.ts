/**
 * The outage scenario every networked broker passes: while its bus server is down, publishes still reach local
 * receivers, fail with UPSTREAM_ERROR and are counted; once the server is back, delivery across processes resumes
 * by itself, and nothing published during the outage arrives late.
 */
import assert from 'node:assert/strict';
import type { BusBroker } from '../../src/broker/broker-bus.js';
import type { BrokerMessage } from '../../src/broker/broker.js';
import { ErrorCode, GatewayError } from '../../src/errors.js';
import { eventually } from './eventually.js';

/** The text of a message; '' for join/leave events, which carry none. */
const textOf = (m: BrokerMessage): string => ('message' in m ? m.message : '');

export interface RestartableServer {
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export async function brokerOutageScenario(
  server: RestartableServer,
  open: (processIndex: number) => Promise<BusBroker>,
): Promise<void> {
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
      atA.some((m) => textOf(m) === 'down'),
      'local receivers still served',
    );
    assert.ok(a.stats.publishFailures >= 1);

    await server.restart();
    // Publish until one crosses: proves the publisher reconnected and the subscriber subscribed again.
    await eventually(
      async () => {
        await a.publish({ kind: 'room', room: 'r', message: 'back' }).catch(() => undefined);
        return atB.some((m) => textOf(m) === 'back');
      },
      (crossed) => crossed,
      { withinMs: 10_000, everyMs: 100, what: 'delivery after the restart' },
    );
    assert.ok(!atB.some((m) => textOf(m) === 'down'), 'nothing published while down arrives later');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
