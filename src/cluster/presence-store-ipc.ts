/**
 * The presence store of a cluster worker: every call runs on the primary's memory presence store over IPC, so all
 * workers of a machine see one presence. The primary removes the entries of a worker that dies.
 */
import { EngineUnavailableError } from '../errors.js';
import {
  cleanInfo,
  type ChannelId,
  type ClientId,
  type ClientInfo,
  type PresenceStats,
  type PresenceStore,
} from '../presence/presence-store.js';
import { processChannel, type EngineOp, type IpcChannel } from './ipc.js';
import { IpcCalls } from './ipc-calls.js';

export class IpcPresenceStore implements PresenceStore {
  readonly #calls: IpcCalls;

  /**
   * @param timeoutMs how long to wait for the primary before failing a call (default 5000).
   * @param channel the channel to the primary (default: this process's IPC channel).
   */
  constructor(timeoutMs = 5000, channel: IpcChannel | undefined = processChannel()) {
    if (!channel) throw new Error('IpcPresenceStore runs only in a cluster worker (no IPC channel)');
    this.#calls = new IpcCalls(
      'presence store',
      'engine-reply',
      timeoutMs,
      channel,
      (message) => new EngineUnavailableError('presence', message),
    );
  }

  /** True while the IPC channel to the primary is open. */
  get connected(): boolean {
    return this.#calls.connected;
  }

  async add(channel: ChannelId, client: ClientId, info: ClientInfo): Promise<void> {
    await this.#call('presence.add', [channel, client, cleanInfo(info)]);
  }

  async remove(channel: ChannelId, client: ClientId): Promise<void> {
    await this.#call('presence.remove', [channel, client]);
  }

  get(channel: ChannelId): Promise<Record<ClientId, ClientInfo>> {
    return this.#call('presence.get', [channel]);
  }

  stats(channel: ChannelId): Promise<PresenceStats> {
    return this.#call('presence.stats', [channel]);
  }

  close(): Promise<void> {
    this.#calls.close();
    return Promise.resolve();
  }

  #call<T>(op: EngineOp, args: unknown[]): Promise<T> {
    return this.#calls.call(op, (id) => ({ tws: 'engine', id, op, args }));
  }
}
