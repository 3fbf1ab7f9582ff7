/**
 * The behaviour every Broker must have, as one suite each implementation's test file runs. The first part holds for
 * any broker in one process (the local broker runs only that part, `{ processes: 1 }`); the second takes three
 * brokers on one bus, standing for three gateway processes. The in-memory doubles run it in one process; the Redis
 * and NATS brokers run it against a real server.
 *
 * `brokerConformance('memory bus', async () => { const bus = new MemoryBus();
 *   return { open: async (i) => bus.broker(i), cleanup: async () => {} }; })`
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Broker, BrokerMessage } from '../../src/broker/broker.js';
import { connIdBase, type ProcessIndex } from '../../src/types.js';
import { within } from './deadline.js';

/** The text of a message; '' for join/leave events, which carry none. */
const textOf = (m: BrokerMessage): string => ('message' in m ? m.message : '');

/** A bus and what frees it beyond closing the brokers. */
export interface BrokerFixture {
  /** Opens the broker of process `processIndex` on the fixture's bus. */
  open(processIndex: ProcessIndex): Promise<Broker>;
  cleanup(): Promise<void>;
}

const BARRIER = '\u0000barrier:';
/** How long one awaited delivery may take before the test fails naming it. */
const DELIVERY_DEADLINE_MS = 5000;

/** What one process received, in order, with a way to await more. */
class Received {
  readonly all: BrokerMessage[] = [];
  /** A message whose delivery makes this receiver throw (after recording it), like a buggy handler. */
  failOn: string | undefined;
  #waiters: { until: () => boolean; resolve: () => void }[] = [];

  record = (msg: BrokerMessage): void => {
    this.all.push(msg);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.until()) return true;
      w.resolve();
      return false;
    });
    if (textOf(msg) === this.failOn) throw new Error(`receiver failing on ${textOf(msg)}`);
  };

  /** Messages other than barrier markers. */
  get messages(): BrokerMessage[] {
    return this.all.filter((m) => !textOf(m).startsWith(BARRIER));
  }

  texts(): string[] {
    return this.messages.map((m) => textOf(m));
  }

  /** Resolves once `cond` holds; fails after the delivery deadline naming `what` and the texts received. */
  until(cond: () => boolean, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    const waited = new Promise<void>((resolve) => this.#waiters.push({ until: cond, resolve }));
    return within(waited, DELIVERY_DEADLINE_MS, () => {
      const seen = this.all.map((m) => JSON.stringify(textOf(m).slice(0, 40)));
      return `${what} (received so far: ${seen.slice(-5).join(', ') || 'nothing'})`;
    });
  }

  hasBarrier(tag: string): boolean {
    return this.all.some((m) => textOf(m) === tag);
  }
}

interface Node {
  index: ProcessIndex;
  broker: Broker;
  got: Received;
}

/** Options of {@link brokerConformance}. */
export interface BrokerConformanceOptions {
  /** 1 for a broker of one process only (the local broker): the tests across processes are left out. Default 3. */
  processes?: 1 | 3;
}

/** Registers the conformance tests for one Broker implementation under `describe(name)`. */
export function brokerConformance(
  name: string,
  make: () => Promise<BrokerFixture>,
  { processes = 3 }: BrokerConformanceOptions = {},
): void {
  describe(`Broker conformance: ${name}`, () => {
    let fixture: BrokerFixture;
    let nodes: Node[];
    let barriers = 0;

    beforeEach(async () => {
      fixture = await make();
      nodes = [];
      for (const index of [1, 2, 3].slice(0, processes)) {
        const broker = await fixture.open(index);
        const got = new Received();
        broker.subscribe(got.record);
        nodes.push({ index, broker, got });
      }
    });

    afterEach(async () => {
      await Promise.all(nodes.map((n) => n.broker.close()));
      await fixture.cleanup();
    });

    const node = (i: number): Node => nodes[i]!;

    /**
     * Every live node broadcasts a marker and waits for the others' markers, twice. A node publishes its second
     * marker only after it saw every first one, and each first marker left after everything its node published
     * before; so when a node has every second marker, every message published before the barrier has reached it,
     * and so would any duplicate or echo of it: checks after this are final.
     */
    async function barrier(live: Node[] = nodes): Promise<void> {
      for (let phase = 0; phase < 2; phase++) {
        const tags = live.map((n) => `${BARRIER}${++barriers}:${n.index}`);
        await Promise.all(live.map((n, i) => n.broker.publish({ kind: 'all', message: tags[i]! })));
        await Promise.all(
          live.map((n) =>
            n.got.until(
              () => tags.every((t) => n.got.hasBarrier(t)),
              `process ${n.index} seeing the barrier markers of processes ${live.map((l) => l.index).join(', ')}`,
            ),
          ),
        );
      }
    }

    describe('in one process', () => {
      it('delivers a room message and a broadcast to the publishing process before publish resolves', async () => {
        const room = node(0).broker.publish({ kind: 'room', room: 'r', message: 'local first' });
        assert.deepEqual(node(0).got.texts(), ['local first']);
        await room;
        const all = node(0).broker.publish({ kind: 'all', message: 'to all' });
        assert.deepEqual(node(0).got.texts(), ['local first', 'to all']);
        await all;
      });

      it('delivers a send to one of its own connections there, before publish resolves', async () => {
        const msg: BrokerMessage = { kind: 'conn', conn: connIdBase(node(0).index) + 1, message: 'mine' };
        const published = node(0).broker.publish(msg);
        assert.deepEqual(node(0).got.messages, [msg]);
        await published;
      });

      it('keeps the order of its messages', async () => {
        const texts = Array.from({ length: 100 }, (_, i) => `m${i}`);
        await Promise.all(
          texts.map((message) => node(0).broker.publish({ kind: 'room', room: 'r', message })),
        );
        await barrier();
        assert.deepEqual(node(0).got.texts(), texts);
      });

      it('keeps a failing receiver from failing the publish, and goes on delivering to it', async () => {
        node(0).got.failOn = 'boom';
        await node(0).broker.publish({ kind: 'all', message: 'boom' });
        await node(0).broker.publish({ kind: 'room', room: 'r', message: 'after' });
        await barrier();
        assert.deepEqual(node(0).got.texts(), ['boom', 'after']);
      });

      it('says it is connected while open, or says nothing (a broker that needs no bus)', () => {
        assert.notEqual(node(0).broker.connected, false);
      });
    });

    if (processes === 1) return;

    describe('across processes', () => {
      it('delivers a room message once to every process, the publisher included', async () => {
        const msg: BrokerMessage = { kind: 'room', room: 'room1', message: 'hello' };
        await node(0).broker.publish(msg);
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.messages, [msg], `process ${n.index}`);
      });

      it('carries the publication meta of a room message to every process unchanged', async () => {
        const msg: BrokerMessage = {
          kind: 'room',
          room: 'chat:1',
          message: '{"a":1}',
          pub: { json: true, offset: 3, epoch: 'ep', info: { user: 'u', client: '9' } },
        };
        await node(1).broker.publish(msg);
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.messages, [msg], `process ${n.index}`);
      });

      it('delivers a control message (server API on the sessions of a user) once to every process', async () => {
        const sent: BrokerMessage[] = [
          { kind: 'control', user: 'alice', op: { op: 'subscribe', channel: 'news', data: { a: [1] } } },
          { kind: 'control', user: 'alice', client: '7', op: { op: 'unsubscribe', channel: 'news' } },
          {
            kind: 'control',
            user: '',
            whitelist: ['1', '2'],
            op: { op: 'disconnect', code: 3503, reason: 'force, "quoted"\n' },
          },
          { kind: 'control', user: 'b', op: { op: 'refresh', expired: false, expireAt: 1893456000 } },
        ];
        for (const msg of sent) await node(1).broker.publish(msg);
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.messages, sent, `process ${n.index}`);
      });

      it('delivers a broadcast once to every process', async () => {
        await node(1).broker.publish({ kind: 'all', message: 'to all' });
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.texts(), ['to all'], `process ${n.index}`);
      });

      it('delivers a send to one connection on the process that holds it only', async () => {
        const conn = connIdBase(node(1).index) + 5;
        await node(0).broker.publish({ kind: 'conn', conn, message: 'for you' });
        // The holder's own channel and the fan-out channel may live on different shards (Redis Cluster sharded
        // pub/sub), which keep no order between them: wait for the message itself, then the barrier for the others.
        await node(1).got.until(() => node(1).got.messages.length > 0, 'the send to one connection arriving');
        await barrier();
        assert.deepEqual(node(1).got.messages, [{ kind: 'conn', conn, message: 'for you' }]);
        assert.deepEqual(node(0).got.messages, []);
        assert.deepEqual(node(2).got.messages, []);
      });

      it('delivers a send to a connection of the publishing process there, and nowhere else', async () => {
        const conn = connIdBase(node(0).index) + 1;
        await node(0).broker.publish({ kind: 'conn', conn, message: 'mine' });
        await barrier();
        assert.deepEqual(node(0).got.texts(), ['mine']);
        assert.deepEqual(node(1).got.messages, []);
        assert.deepEqual(node(2).got.messages, []);
      });

      it('drops a send to a connection of a process that is not on the bus', async () => {
        await node(0).broker.publish({ kind: 'conn', conn: connIdBase(99) + 1, message: 'nobody' });
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.messages, []);
      });

      it("keeps the order of one publisher's messages on every process", async () => {
        const texts = Array.from({ length: 100 }, (_, i) => `m${i}`);
        await Promise.all(
          texts.map((message) => node(0).broker.publish({ kind: 'room', room: 'r', message })),
        );
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.texts(), texts, `process ${n.index}`);
      });

      it('loses and duplicates nothing when every process publishes at once', async () => {
        const per = 100;
        await Promise.all(
          nodes.flatMap((n) =>
            Array.from({ length: per }, (_, i) =>
              n.broker.publish({ kind: 'room', room: 'r', message: `${n.index}:${i}` }),
            ),
          ),
        );
        await barrier();
        const expected = nodes
          .flatMap((n) => Array.from({ length: per }, (_, i) => `${n.index}:${i}`))
          .sort();
        for (const n of nodes) assert.deepEqual(n.got.texts().sort(), expected, `process ${n.index}`);
      });

      it('carries rooms and texts exactly: separators, newlines, unicode, empty and large texts', async () => {
        const rooms = ['a,b', '1,2,', 'with\nnewline', '房间一', '\u{1F600}x', '{"room":"x"}', 'r'];
        const texts = ['', ',', 'r1,2,xx', 'a1,', 'line\nline', 'caf\u00e9 \u{1F600}', 'x'.repeat(64 * 1024)];
        const sent: BrokerMessage[] = rooms.map((room, i) => ({ kind: 'room', room, message: texts[i]! }));
        sent.push({ kind: 'all', message: 'c1,2,' });
        for (const msg of sent) await node(2).broker.publish(msg);
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.messages, sent, `process ${n.index}`);
      });

      it('keeps a receiver failing on one process from stopping delivery there or elsewhere', async () => {
        node(1).got.failOn = 'boom';
        await node(0).broker.publish({ kind: 'all', message: 'boom' });
        await node(0).broker.publish({ kind: 'all', message: 'after' });
        await barrier();
        for (const n of nodes) assert.deepEqual(n.got.texts(), ['boom', 'after'], `process ${n.index}`);
      });

      it('stops delivering to a closed broker and keeps the others going', async () => {
        await node(2).broker.close();
        await node(0).broker.publish({ kind: 'room', room: 'r', message: 'after close' });
        await barrier(nodes.slice(0, 2));
        assert.deepEqual(node(1).got.texts(), ['after close']);
        assert.deepEqual(node(2).got.messages, []);
      });
    });
  });
}
