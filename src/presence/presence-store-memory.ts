/**
 * The default presence store: channels' entries in this process's memory. Entries leave with their process (a
 * single process), or are removed by the cluster primary when the worker that added them dies (IpcPresenceStore).
 */
import {
  cleanInfo,
  type ChannelId,
  type ClientId,
  type ClientInfo,
  type PresenceStats,
  type PresenceStore,
} from './presence-store.js';

interface ChannelPresence {
  clients: Map<ClientId, ClientInfo>;
  /** Clients per user, so `stats` is O(1). */
  users: Map<string, number>;
}

/** In-memory {@link PresenceStore}: add, remove and stats are O(1); get is O(clients of the channel). */
export class MemoryPresenceStore implements PresenceStore {
  readonly #channels = new Map<ChannelId, ChannelPresence>();

  async add(channel: ChannelId, client: ClientId, info: ClientInfo): Promise<void> {
    let presence = this.#channels.get(channel);
    if (!presence) this.#channels.set(channel, (presence = { clients: new Map(), users: new Map() }));
    const entry = cleanInfo(info);
    const previous = presence.clients.get(client);
    presence.clients.set(client, entry);
    if (previous?.user === entry.user) return;
    if (previous) uncount(presence.users, previous.user);
    presence.users.set(entry.user, (presence.users.get(entry.user) ?? 0) + 1);
  }

  async remove(channel: ChannelId, client: ClientId): Promise<void> {
    const presence = this.#channels.get(channel);
    const previous = presence?.clients.get(client);
    if (!presence || !previous) return;
    presence.clients.delete(client);
    uncount(presence.users, previous.user);
    if (presence.clients.size === 0) this.#channels.delete(channel);
  }

  async get(channel: ChannelId): Promise<Record<ClientId, ClientInfo>> {
    const out: Record<ClientId, ClientInfo> = {};
    for (const [client, info] of this.#channels.get(channel)?.clients ?? []) out[client] = { ...info };
    return out;
  }

  async stats(channel: ChannelId): Promise<PresenceStats> {
    const presence = this.#channels.get(channel);
    return { numClients: presence?.clients.size ?? 0, numUsers: presence?.users.size ?? 0 };
  }

  async close(): Promise<void> {
    this.#channels.clear();
  }
}

function uncount(users: Map<string, number>, user: string): void {
  const left = (users.get(user) ?? 1) - 1;
  if (left <= 0) users.delete(user);
  else users.set(user, left);
}
