/**
 * Rooms for the admin dashboard: search and pages over every room of the deployment (as the shared store sees
 * them) that stay fast with 100k rooms. The sorted list is read from the store at most once per `ttlMs` (one read in
 * flight at a time); a search is one pass over it; member counts are asked for the rooms of the page only.
 */
import type { RoomStore } from '../../store/room-store.js';
import type { RoomId } from '../../types.js';

export interface RoomPage {
  total: number;
  offset: number;
  rooms: { room: RoomId; members: number }[];
}

export const MAX_ROOM_PAGE = 200;

export class RoomDirectory {
  readonly #store: RoomStore;
  readonly #ttlMs: number;
  #sorted: RoomId[] = [];
  /** `#sorted` lower-cased once per read, so a search does not lower-case 100k names again. */
  #lower: string[] = [];
  #readAt = -Infinity;
  #reading: Promise<RoomId[]> | undefined;
  #lastSearch: { search: string; sorted: RoomId[]; hits: RoomId[] } | undefined;

  constructor(store: RoomStore, ttlMs = 2000) {
    this.#store = store;
    this.#ttlMs = ttlMs;
  }

  /** Rooms whose name contains `search` (case-insensitive), sorted by name, `limit` from `offset`. */
  async page(search: string, offset: number, limit: number): Promise<RoomPage> {
    const sorted = await this.#rooms();
    const hits = this.#search(sorted, search.toLowerCase());
    const slice = hits.slice(offset, offset + Math.min(Math.max(1, limit), MAX_ROOM_PAGE));
    const counts = await Promise.all(slice.map((room) => this.#store.count(room)));
    return { total: hits.length, offset, rooms: slice.map((room, i) => ({ room, members: counts[i] ?? 0 })) };
  }

  #search(sorted: RoomId[], needle: string): RoomId[] {
    if (needle === '') return sorted;
    // Paging through one search's results must not rescan 100k names for every page.
    const last = this.#lastSearch;
    if (last?.sorted === sorted && last.search === needle) return last.hits;
    const lower = this.#lower;
    const hits: RoomId[] = [];
    for (let i = 0; i < sorted.length; i++) if (lower[i]!.includes(needle)) hits.push(sorted[i]!);
    this.#lastSearch = { search: needle, sorted, hits };
    return hits;
  }

  #rooms(): Promise<RoomId[]> {
    if (performance.now() - this.#readAt < this.#ttlMs) return Promise.resolve(this.#sorted);
    this.#reading ??= this.#store
      .rooms()
      .then((rooms) => {
        this.#sorted = rooms.sort();
        this.#lower = this.#sorted.map((room) => room.toLowerCase());
        this.#readAt = performance.now();
        return this.#sorted;
      })
      .finally(() => (this.#reading = undefined));
    return this.#reading;
  }
}
