/**
 * The cluster primary: forks the workers (they share the listening port through node:cluster), relays broker
 * messages between them, hosts the shared memory room store, history and presence, restarts a worker that dies (with backoff) after
 * removing its connections from every room, relays control requests (admin commands) and stops everything cleanly.
 */
import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { BusTarget } from '../broker/broker-bus.js';
import type { Logger } from '../logger.js';
import { EngineHost } from '../cluster/engine-host.js';
import { MemoryHistoryStore } from '../history/history-store-memory.js';
import type { HistoryStore } from '../history/history-store.js';
import { MemoryPresenceStore } from '../presence/presence-store-memory.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { MemoryRoomStore } from '../store/room-store-memory.js';
import type { RoomStore } from '../store/room-store.js';
import { processOfConn, type ConnId, type ProcessIndex } from '../types.js';
import {
  answerStoreOp,
  ENV_PROCESS_INDEX,
  ENV_WORKER_ID,
  isWorkerMessage,
  relayReaches,
  type PrimaryToWorker,
  type StoreOp,
  type WorkerToPrimary,
} from '../cluster/ipc.js';

export interface SupervisorOptions {
  /** Number of worker processes. */
  workers: number;
  logger: Logger;
  /** Store hosted for workers that use the IPC store. Default: a new MemoryRoomStore. */
  store?: RoomStore;
  /**
   * A store the workers write to directly (the file store): when a worker dies, its connections are found there by
   * their process index and removed, since they never went through the primary.
   */
  sharedStore?: RoomStore;
  /** History hosted for workers that use the IPC history store. Default: a new MemoryHistoryStore. */
  history?: HistoryStore;
  /** Presence hosted for workers that use the IPC presence store. Default: a new MemoryPresenceStore. */
  presence?: PresenceStore;
  /** Extra environment for the workers. */
  env?: Record<string, string>;
  /** First restart delay; doubles on each quick death up to `restartMaxMs`. Default 200 ms. */
  restartInitialMs?: number;
  /** Default 30000 ms. */
  restartMaxMs?: number;
  /** A worker that lived this long resets its backoff. Default 30000 ms. */
  stableAfterMs?: number;
  /** How long `close()` waits for workers to exit before SIGKILL. Default 10000 ms. */
  stopTimeoutMs?: number;
  /**
   * How long the primary keeps retrying the removal of a dead worker's connections from `sharedStore` when an
   * attempt fails: a worker killed in the middle of a file store write leaves the store lock, which the others take
   * over only once it is stale (`lockStaleMs`, 10 s), after their own wait (`lockTimeoutMs`, 5 s) gave up. The
   * worker's replacement starts once the removal is done or abandoned. Default 30000 ms.
   */
  sweepTimeoutMs?: number;
}

interface Slot {
  workerId: number;
  worker: Worker | undefined;
  processIndex: ProcessIndex;
  failures: number;
  startedAt: number;
  port: number | undefined;
  restartTimer: NodeJS.Timeout | undefined;
}

/** One worker's answer to a control request. */
export interface ControlReply {
  workerId: number;
  pid: number | undefined;
  ok: boolean;
  value: unknown;
}

interface SupervisorEvents {
  ready: [workerId: number, port: number];
  exit: [workerId: number, code: number | null, signal: string | null];
  /** A worker sent application traffic with `sendToPrimary(kind, payload)`. */
  app: [workerId: number, kind: string, payload: unknown];
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly store: RoomStore;
  readonly #opts: Required<
    Omit<SupervisorOptions, 'store' | 'env' | 'sharedStore' | 'history' | 'presence'>
  > & {
    env: Record<string, string>;
  };
  readonly #sharedStore: RoomStore | undefined;
  readonly #engines: EngineHost;
  readonly #log: Logger;
  readonly #slots: Slot[] = [];
  /** Connections with memberships, by the process that holds them, for cleanup when it dies. */
  readonly #connsOf = new Map<ProcessIndex, Set<ConnId>>();
  #nextProcessIndex = 1;
  readonly #answers = new Map<string, (workerId: number, payload: unknown) => unknown>();
  #nextControlId = 1;
  readonly #controls = new Map<number, { replies: ControlReply[]; expected: number; done: () => void }>();
  #stopping = false;

  constructor(opts: SupervisorOptions) {
    super();
    if (!cluster.isPrimary) throw new Error('Supervisor runs in the cluster primary only');
    this.#log = opts.logger.child({ component: 'supervisor' });
    this.store = opts.store ?? new MemoryRoomStore();
    this.#sharedStore = opts.sharedStore;
    this.#engines = new EngineHost(
      opts.history ?? new MemoryHistoryStore(),
      opts.presence ?? new MemoryPresenceStore(),
    );
    this.#opts = {
      workers: opts.workers,
      logger: opts.logger,
      env: opts.env ?? {},
      restartInitialMs: opts.restartInitialMs ?? 200,
      restartMaxMs: opts.restartMaxMs ?? 30_000,
      stableAfterMs: opts.stableAfterMs ?? 30_000,
      stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
      sweepTimeoutMs: opts.sweepTimeoutMs ?? 30_000,
    };
  }

  /** Forks every worker; resolves when all are listening, with the shared port. */
  start(): Promise<number> {
    const ready = new Promise<number>((resolve) => {
      const seen = new Set<number>();
      const onReady = (workerId: number, port: number): void => {
        seen.add(workerId);
        if (seen.size === this.#opts.workers) {
          this.off('ready', onReady);
          resolve(port);
        }
      };
      this.on('ready', onReady);
    });
    for (let i = 0; i < this.#opts.workers; i++) {
      const slot: Slot = {
        workerId: i,
        worker: undefined,
        processIndex: 0,
        failures: 0,
        startedAt: 0,
        port: undefined,
        restartTimer: undefined,
      };
      this.#slots.push(slot);
      this.#fork(slot);
    }
    return ready;
  }

  /** Workers as they are now. */
  get workers(): {
    workerId: number;
    pid: number | undefined;
    processIndex: ProcessIndex;
    restarts: number;
  }[] {
    return this.#slots.map((s) => ({
      workerId: s.workerId,
      pid: s.worker?.process.pid,
      processIndex: s.processIndex,
      restarts: s.failures,
    }));
  }

  /**
   * Sends a control request to every live worker and collects their answers (workers that do not answer within
   * `timeoutMs` are reported with ok=false).
   */
  control(kind: string, payload: unknown, timeoutMs = 3000): Promise<ControlReply[]> {
    const live = this.#slots.filter((s) => s.worker?.isConnected());
    const id = this.#nextControlId++;
    return new Promise((resolve) => {
      const replies: ControlReply[] = [];
      const finish = (): void => {
        clearTimeout(timer);
        this.#controls.delete(id);
        for (const s of live) {
          if (!replies.some((r) => r.workerId === s.workerId)) {
            replies.push({ workerId: s.workerId, pid: s.worker?.process.pid, ok: false, value: 'no answer' });
          }
        }
        resolve(replies.sort((a, b) => a.workerId - b.workerId));
      };
      const timer = setTimeout(finish, timeoutMs);
      this.#controls.set(id, { replies, expected: live.length, done: finish });
      if (live.length === 0) return finish();
      const msg: PrimaryToWorker = { tws: 'control', id, kind, payload };
      for (const s of live) s.worker?.send(msg);
    });
  }

  /** Answers workers' `askPrimary(kind, ...)` requests with `handler` (one handler per kind). */
  answer(kind: string, handler: (workerId: number, payload: unknown) => unknown): this {
    this.#answers.set(kind, handler);
    return this;
  }

  /** Stops every worker (SIGTERM: they close their clients with 1001), SIGKILL after `stopTimeoutMs`. */
  async close(): Promise<void> {
    this.#stopping = true;
    const live: Worker[] = [];
    for (const s of this.#slots) {
      clearTimeout(s.restartTimer);
      if (s.worker && !s.worker.isDead()) live.push(s.worker);
    }
    await Promise.all(
      live.map(
        (w) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => {
              this.#log.warn({ pid: w.process.pid }, 'worker did not stop in time, killing');
              w.process.kill('SIGKILL');
            }, this.#opts.stopTimeoutMs);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await this.store.close();
    await this.#sharedStore?.close();
    await this.#engines.close();
  }

  #fork(slot: Slot): void {
    const processIndex = this.#nextProcessIndex++;
    const worker = cluster.fork({
      ...this.#opts.env,
      [ENV_WORKER_ID]: String(slot.workerId),
      [ENV_PROCESS_INDEX]: String(processIndex),
    });
    slot.worker = worker;
    slot.processIndex = processIndex;
    slot.startedAt = Date.now();
    worker.on('message', (m: unknown) => {
      if (isWorkerMessage(m)) this.#onMessage(slot, m);
    });
    worker.on('error', (err) =>
      this.#log.warn({ workerId: slot.workerId, err: err.message }, 'worker IPC error'),
    );
    worker.once('exit', (code, signal) => this.#onExit(slot, worker, processIndex, code, signal));
    this.#log.info({ workerId: slot.workerId, pid: worker.process.pid, processIndex }, 'worker started');
  }

  #onMessage(slot: Slot, m: WorkerToPrimary): void {
    switch (m.tws) {
      case 'publish':
        this.#relay(m.from, m.target, m.text);
        return;
      case 'store':
        void this.#runStore(slot, m.id, m.op, m.args);
        return;
      case 'engine': {
        const worker = slot.worker;
        void this.#engines.answer(slot.processIndex, m.id, m.op, m.args).then((reply) => {
          if (worker?.isConnected()) worker.send(reply);
        });
        return;
      }
      case 'control-reply': {
        const c = this.#controls.get(m.id);
        if (!c) return;
        c.replies.push({ workerId: slot.workerId, pid: slot.worker?.process.pid, ok: m.ok, value: m.value });
        if (c.replies.length >= c.expected) c.done();
        return;
      }
      case 'ready':
        slot.port = m.port;
        this.emit('ready', slot.workerId, m.port);
        return;
      case 'app':
        this.emit('app', slot.workerId, m.kind, m.payload);
        return;
      case 'ask': {
        const handler = this.#answers.get(m.kind);
        const reply = (ok: boolean, value: unknown): void => {
          const out: PrimaryToWorker = { tws: 'answer', id: m.id, ok, value };
          if (slot.worker?.isConnected()) slot.worker.send(out);
        };
        if (!handler) reply(false, `no answer for ${m.kind}`);
        else
          Promise.resolve()
            .then(() => handler(slot.workerId, m.payload))
            .then(
              (v) => reply(true, v),
              (err: unknown) => reply(false, err instanceof Error ? err.message : String(err)),
            );
        return;
      }
    }
  }

  /** Relays a worker's encoded message as it came: decoded by the receivers only, never here. */
  #relay(from: ProcessIndex, target: BusTarget, text: string): void {
    const out: PrimaryToWorker = { tws: 'deliver', text };
    for (const s of this.#slots) {
      if (relayReaches(target, from, s.processIndex) && s.worker?.isConnected()) s.worker.send(out);
    }
  }

  async #runStore(slot: Slot, id: number, op: StoreOp, args: (string | number)[]): Promise<void> {
    if (op === 'add') this.#track(Number(args[1]), true);
    else if (op === 'removeConnection') this.#track(Number(args[0]), false);
    const reply = await answerStoreOp(this.store, id, op, args);
    if (slot.worker?.isConnected()) slot.worker.send(reply);
  }

  #track(conn: ConnId, add: boolean): void {
    const p = processOfConn(conn);
    let set = this.#connsOf.get(p);
    if (add) {
      if (!set) this.#connsOf.set(p, (set = new Set()));
      set.add(conn);
    } else set?.delete(conn);
  }

  #onExit(
    slot: Slot,
    worker: Worker,
    processIndex: ProcessIndex,
    code: number | null,
    signal: string | null,
  ): void {
    const conns = this.#connsOf.get(processIndex);
    this.#connsOf.delete(processIndex);
    // Its connections are gone with it: their memberships must not outlive them. The replacement starts only once
    // they are removed, so nobody sees the dead worker's members next to the new one's.
    const cleanups: Promise<unknown>[] = [];
    for (const conn of conns ?? []) {
      cleanups.push(
        this.store.removeConnection(conn).catch((err: unknown) => {
          this.#log.warn({ conn, err }, 'could not remove a dead worker connection');
        }),
      );
    }
    if (this.#sharedStore) cleanups.push(this.#sweep(this.#sharedStore, processIndex));
    cleanups.push(
      this.#engines.workerGone(processIndex).catch((err: unknown) => {
        this.#log.warn({ processIndex, err }, 'could not remove a dead worker presence');
      }),
    );
    this.emit('exit', slot.workerId, code, signal);
    if (slot.worker !== worker || this.#stopping) return;
    slot.worker = undefined;
    const lived = Date.now() - slot.startedAt;
    slot.failures = lived >= this.#opts.stableAfterMs ? 1 : slot.failures + 1;
    const delay = Math.min(this.#opts.restartMaxMs, this.#opts.restartInitialMs * 2 ** (slot.failures - 1));
    this.#log.error(
      {
        workerId: slot.workerId,
        pid: worker.process.pid,
        code,
        signal,
        restartInMs: delay,
        cleaned: conns?.size ?? 0,
      },
      'worker died, restarting',
    );
    void Promise.allSettled(cleanups).then(() => {
      if (this.#stopping) return;
      slot.restartTimer = setTimeout(() => {
        if (!this.#stopping) this.#fork(slot);
      }, delay);
    });
  }

  /**
   * Removes from a shared store every connection held by a process that is gone. A failed attempt (typically the
   * lock the dead worker left, busy until stale) is tried again, the whole scan each time, until `sweepTimeoutMs`:
   * giving up at once would leave the dead connections in their rooms for good.
   */
  async #sweep(store: RoomStore, dead: ProcessIndex): Promise<void> {
    const until = Date.now() + this.#opts.sweepTimeoutMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
      try {
        const gone = new Set<ConnId>();
        for (const room of await store.rooms()) {
          for (const conn of await store.members(room)) if (processOfConn(conn) === dead) gone.add(conn);
        }
        for (const conn of gone) await store.removeConnection(conn);
        if (gone.size > 0)
          this.#log.info({ processIndex: dead, removed: gone.size }, 'removed a dead worker connections');
        return;
      } catch (err) {
        if (this.#stopping || Date.now() + wait > until) {
          this.#log.warn(
            { processIndex: dead, err },
            'could not remove a dead worker connections from the shared store',
          );
          return;
        }
        this.#log.info(
          { processIndex: dead, err, retryInMs: wait },
          'could not remove a dead worker connections from the shared store yet, retrying',
        );
        // Unreferenced: a stopping primary exits without waiting for it.
        await delay(wait, undefined, { ref: false });
      }
    }
  }
}
