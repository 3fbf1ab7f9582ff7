/**
 * The publisher of the recovery seam tests: one room publication per event-loop turn, so a subscribe's socket I/O
 * interleaves with them; then every offset must have reached the subscriber once, in order.
 */
import assert from 'node:assert/strict';
import type { Gateway } from '../../src/index.js';
import { eventually } from './eventually.js';

/** One event-loop turn (after the I/O that is ready). */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class TurnPublisher {
  /** Publications made so far; their offsets are 1 to this. */
  published = 0;
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(gateway: Gateway, room: string) {
    this.#done = (async () => {
      while (!this.#stopped) {
        await gateway.sendToRoom(room, String(++this.published));
        await turn();
      }
    })();
  }

  /** Resolves once `count` publications were made. */
  async reach(count: number): Promise<void> {
    while (this.published < count) await turn();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  /** Waits until `seen` holds as many offsets as were published, then asserts they are 1, 2, 3, ... once each. */
  async expectSeen(seen: readonly number[], what: string): Promise<void> {
    await eventually(
      () => seen.length,
      (n) => n >= this.published,
      { what: `${what}: ${this.published} publications` },
    );
    assert.deepEqual(
      seen,
      Array.from({ length: this.published }, (_, i) => i + 1),
      what,
    );
  }
}
