/**
 * The primary's side of the workers' history and presence: it runs their requests on the machine's one memory
 * history store and presence store, and remembers which worker added which presence entry, so the entries of a
 * worker that dies are removed with it (the memory counterpart of the Redis heartbeat expiry).
 */
import type { HistoryStore, AppendOptions, PublicationInput, ReadOptions } from '../history/history-store.js';
import type { ChannelId, ClientId, ClientInfo, PresenceStore } from '../presence/presence-store.js';
import type { ProcessIndex } from '../types.js';
import type { EngineOp, PrimaryToWorker } from './ipc.js';

export class EngineHost {
  /** Presence entries by the worker that added them: process -> channel -> clients. */
  readonly #owned = new Map<ProcessIndex, Map<ChannelId, Set<ClientId>>>();

  constructor(
    readonly history: HistoryStore,
    readonly presence: PresenceStore,
  ) {}

  /** The reply to worker `from`'s request: the operation's result, or its failure as text. */
  async answer(
    from: ProcessIndex,
    id: number,
    op: EngineOp,
    args: readonly unknown[],
  ): Promise<PrimaryToWorker> {
    try {
      return { tws: 'engine-reply', id, ok: true, value: (await this.#apply(from, op, args)) ?? null };
    } catch (err) {
      return { tws: 'engine-reply', id, ok: false, value: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Removes the presence entries worker `proc` added (it died); resolves how many. */
  async workerGone(proc: ProcessIndex): Promise<number> {
    const owned = this.#owned.get(proc);
    this.#owned.delete(proc);
    let removed = 0;
    for (const [channel, clients] of owned ?? []) {
      for (const client of clients) {
        await this.presence.remove(channel, client);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#owned.clear();
    await Promise.all([this.history.close(), this.presence.close()]);
  }

  #apply(from: ProcessIndex, op: EngineOp, args: readonly unknown[]): Promise<unknown> {
    const channel = args[0];
    if (typeof channel !== 'string') return Promise.reject(new TypeError('channel must be a string'));
    const [, a, b] = args;
    switch (op) {
      case 'history.append':
        return this.history.append(channel, a as PublicationInput, b as AppendOptions);
      case 'history.read':
        return this.history.read(channel, (a ?? {}) as ReadOptions);
      case 'history.position':
        return this.history.position(channel);
      case 'history.remove':
        return this.history.remove(channel);
      case 'presence.add':
        this.#own(from, channel, String(a), true);
        return this.presence.add(channel, String(a), b as ClientInfo);
      case 'presence.remove':
        this.#own(from, channel, String(a), false);
        return this.presence.remove(channel, String(a));
      case 'presence.get':
        return this.presence.get(channel);
      case 'presence.stats':
        return this.presence.stats(channel);
      default:
        return Promise.reject(new Error(`unknown engine operation ${String(op)}`));
    }
  }

  #own(proc: ProcessIndex, channel: ChannelId, client: ClientId, add: boolean): void {
    let channels = this.#owned.get(proc);
    if (add) {
      if (!channels) this.#owned.set(proc, (channels = new Map()));
      let clients = channels.get(channel);
      if (!clients) channels.set(channel, (clients = new Set()));
      clients.add(client);
      return;
    }
    const clients = channels?.get(channel);
    clients?.delete(client);
    if (clients?.size === 0) channels?.delete(channel);
    if (channels?.size === 0) this.#owned.delete(proc);
  }
}
