/**
 * Requests from a worker to its primary that wait for an answer: ids, a timeout per call, and a fast failure when the
 * channel is cut. Shared by the worker-side stores (room store, history, presence), which differ only in the
 * messages they send and the error they report.
 */
import { EngineUnavailableError } from '../errors.js';
import {
  isPrimaryMessage,
  processChannel,
  type EngineOp,
  type IpcChannel,
  type PrimaryToWorker,
  type WorkerToPrimary,
} from './ipc.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** The reply kinds a worker waits for. */
type ReplyTag = Extract<PrimaryToWorker, { id: number; ok: boolean }>['tws'];

export class IpcCalls {
  readonly #pending = new Map<number, Pending>();
  readonly #onMessage = (m: unknown): void => {
    if (!isPrimaryMessage(m) || m.tws !== this.replyTag) return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.value);
    else p.reject(this.fail(`${this.what} (primary) failed: ${String(m.value)}`));
  };
  #nextId = 1;

  /**
   * @param what the store's name in error messages (`room store`).
   * @param fail builds the error of a failed call from its message.
   */
  constructor(
    readonly what: string,
    readonly replyTag: ReplyTag,
    readonly timeoutMs: number,
    readonly channel: IpcChannel,
    readonly fail: (message: string) => Error,
  ) {
    channel.on('message', this.#onMessage);
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.channel.connected;
  }

  /** Sends the message `request(id)` builds and resolves the primary's answer to it. */
  call<T>(op: string, request: (id: number) => WorkerToPrimary): Promise<T> {
    if (!this.channel.connected) return Promise.reject(this.fail(`${this.what} (primary) is unreachable`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(this.fail(`${this.what} (primary) did not answer ${op} in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.channel.send(request(id));
    });
  }

  /** Stops listening and rejects every call still waiting. */
  close(): void {
    this.channel.off('message', this.#onMessage);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(this.fail(`${this.what} closed`));
    }
    this.#pending.clear();
  }
}

/** The calls of a worker-side engine store (history or presence): failures are EngineUnavailableError. */
export class IpcEngineCalls extends IpcCalls {
  /**
   * @param timeoutMs how long to wait for the primary before failing a call.
   * @param channel the channel to the primary (default: this process's IPC channel).
   */
  constructor(
    engine: 'history' | 'presence',
    timeoutMs: number,
    channel: IpcChannel | undefined = processChannel(),
  ) {
    if (!channel) throw new Error(`the IPC ${engine} store runs only in a cluster worker (no IPC channel)`);
    super(
      `${engine} store`,
      'engine-reply',
      timeoutMs,
      channel,
      (message) => new EngineUnavailableError(engine, message),
    );
  }

  /** Runs `op` on the primary's engine. */
  run<T>(op: EngineOp, args: unknown[]): Promise<T> {
    return this.call(op, (id) => ({ tws: 'engine', id, op, args }));
  }
}
