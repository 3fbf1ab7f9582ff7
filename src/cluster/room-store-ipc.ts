/**
 * The room store of a cluster worker: every operation runs on the primary's memory store over IPC, so all workers
 * share one record of memberships without any external service. The primary also removes the memberships of a
 * worker that dies.
 */
import { processChannel, type IpcChannel, type StoreOp } from './ipc.js';
import { IpcCalls } from './ipc-calls.js';
import { ErrorCode, GatewayError } from '../errors.js';
import type { ConnId, RoomId } from '../types.js';
import { assertConnId, type RoomStore } from '../store/room-store.js';

export class IpcRoomStore implements RoomStore {
  readonly #calls: IpcCalls;

  /**
   * @param timeoutMs how long to wait for the primary before failing an operation (default 5000).
   * @param channel the channel to the primary (default: this process's IPC channel).
   */
  constructor(timeoutMs = 5000, channel: IpcChannel | undefined = processChannel()) {
    if (!channel) throw new Error('IpcRoomStore runs only in a cluster worker (no IPC channel)');
    this.#calls = new IpcCalls(
      'room store',
      'store-reply',
      timeoutMs,
      channel,
      (message) => new GatewayError(ErrorCode.Upstream, message),
    );
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
    return this.#calls.call(op, (id) => ({ tws: 'store', id, op, args }));
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.#calls.connected;
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
    this.#calls.close();
    return Promise.resolve();
  }
}
