/**
 * The room store of a cluster worker: every operation runs on the primary's memory store over IPC, so all workers
 * share one record of memberships without any external service. The primary also removes the memberships of a
 * worker that dies.
 */
import {
  isPrimaryMessage,
  processChannel,
  type IpcChannel,
  type StoreOp,
  type WorkerToPrimary,
} from './ipc.js';
import { ErrorCode, GatewayError } from '../errors.js';
import type { ConnId, RoomId } from '../types.js';
import { assertConnId, type RoomStore } from '../store/room-store.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class IpcRoomStore implements RoomStore {
  readonly #timeoutMs: number;
  readonly #channel: IpcChannel;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  readonly #onMessage = (m: unknown): void => {
    if (!isPrimaryMessage(m) || m.tws !== 'store-reply') return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.value);
    else p.reject(new GatewayError(ErrorCode.Upstream, `room store (primary) failed: ${String(m.value)}`));
  };

  /**
   * @param timeoutMs how long to wait for the primary before failing an operation (default 5000).
   * @param channel the channel to the primary (default: this process's IPC channel).
   */
  constructor(timeoutMs = 5000, channel: IpcChannel | undefined = processChannel()) {
    if (!channel) throw new Error('IpcRoomStore runs only in a cluster worker (no IPC channel)');
    this.#timeoutMs = timeoutMs;
    this.#channel = channel;
    channel.on('message', this.#onMessage);
  }

  #call<T>(op: StoreOp, args: (string | number)[], conn?: ConnId): Promise<T> {
    // Checked here: over IPC's JSON, NaN and Infinity would arrive as null, read as connection 0.
    if (conn !== undefined) {
      try {
        assertConnId(conn);
      } catch (err) {
        return Promise.reject(err as TypeError);
      }
    }
    if (!this.#channel.connected) {
      return Promise.reject(new GatewayError(ErrorCode.Upstream, 'room store (primary) is unreachable'));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new GatewayError(
            ErrorCode.Upstream,
            `room store (primary) did not answer ${op} in ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      const out: WorkerToPrimary = { tws: 'store', id, op, args };
      this.#channel.send(out);
    });
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.#channel.connected;
  }

  add(room: RoomId, conn: ConnId): Promise<boolean> {
    return this.#call('add', [room, conn], conn);
  }
  remove(room: RoomId, conn: ConnId): Promise<boolean> {
    return this.#call('remove', [room, conn], conn);
  }
  members(room: RoomId): Promise<ConnId[]> {
    return this.#call('members', [room]);
  }
  roomsOf(conn: ConnId): Promise<RoomId[]> {
    return this.#call('roomsOf', [conn], conn);
  }
  removeConnection(conn: ConnId): Promise<RoomId[]> {
    return this.#call('removeConnection', [conn], conn);
  }
  count(room: RoomId): Promise<number> {
    return this.#call('count', [room]);
  }
  rooms(): Promise<RoomId[]> {
    return this.#call('rooms', []);
  }

  close(): Promise<void> {
    this.#channel.off('message', this.#onMessage);
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new GatewayError(ErrorCode.Upstream, 'room store closed'));
    }
    this.#pending.clear();
    return Promise.resolve();
  }
}
