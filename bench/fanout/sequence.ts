/**
 * Order and completeness of a pipelined burst: messages carry sequence numbers 1..N (see `stampedMessage`), and
 * every subscriber must receive each of them exactly once, in order. Counts live in preallocated typed arrays and
 * the number is read without allocating: this runs once per delivery on the load generator's core.
 */
import type { OnPush } from './clients/client.js';

/** Ranges listed in {@link SequenceTracker.missing} before the rest is summed up. */
const MAX_RANGES = 4;

export interface SequenceSummary {
  /** Deliveries whose number was not above the previous one at the same subscriber (reordered or duplicated). */
  outOfOrder: number;
  /** Subscribers that received every message. */
  completeSubscribers: number;
  /** Which messages did not reach every subscriber, e.g. `#257–#1000 at every subscriber`; empty when none. */
  missing: string;
}

export class SequenceTracker {
  readonly #subscribers: number;
  readonly #messages: number;
  /** Highest number seen by each subscriber. */
  readonly #last: Uint32Array;
  /** Messages in order received by each subscriber. */
  readonly #received: Uint32Array;
  /** Subscribers that received each message (index seq - 1). */
  readonly #reached: Uint32Array;
  #outOfOrder = 0;
  #armed = false;

  constructor(subscribers: number, messages: number) {
    this.#subscribers = subscribers;
    this.#messages = messages;
    this.#last = new Uint32Array(subscribers);
    this.#received = new Uint32Array(subscribers);
    this.#reached = new Uint32Array(messages);
  }

  /** Starts counting; deliveries before (the warm-up, which carries no numbers) are ignored. */
  arm(): void {
    this.#armed = true;
  }

  /** The push handler of subscriber `index`: passes every message on to `next`, then checks its number. */
  forSubscriber(index: number, next: OnPush): OnPush {
    return (text) => {
      next(text);
      if (this.#armed) this.#see(index, text);
    };
  }

  #see(index: number, text: string): void {
    // `<time> <seq> ...`: the digits after the first space.
    let seq = 0;
    for (let i = text.indexOf(' ') + 1; i > 0 && i < text.length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      seq = seq * 10 + digit;
    }
    if (seq <= (this.#last[index] ?? 0) || seq > this.#messages) {
      this.#outOfOrder++;
      return;
    }
    this.#last[index] = seq;
    this.#received[index]!++;
    this.#reached[seq - 1]!++;
  }

  summary(): SequenceSummary {
    let complete = 0;
    for (const n of this.#received) if (n === this.#messages) complete++;
    return { outOfOrder: this.#outOfOrder, completeSubscribers: complete, missing: this.missing() };
  }

  /** Runs of consecutive messages that did not reach every subscriber, at most {@link MAX_RANGES} spelled out. */
  missing(): string {
    const all = this.#subscribers;
    const ranges: string[] = [];
    let more = 0;
    let seq = 1;
    while (seq <= this.#messages) {
      const reached = this.#reached[seq - 1] ?? 0;
      if (reached >= all) {
        seq++;
        continue;
      }
      // A run: all reached by nobody, or all reached by some but not every subscriber.
      const nobody = reached === 0;
      let end = seq;
      let low = reached;
      let high = reached;
      while (end < this.#messages) {
        const r = this.#reached[end] ?? 0;
        if (r >= all || (r === 0) !== nobody) break;
        low = Math.min(low, r);
        high = Math.max(high, r);
        end++;
      }
      const span = seq === end ? `#${seq}` : `#${seq}–#${end}`;
      const where = nobody
        ? 'at every subscriber'
        : `at some subscribers (reached ${low === high ? low : `${low}–${high}`} of ${all})`;
      if (ranges.length < MAX_RANGES) ranges.push(`${span} ${where}`);
      else more++;
      seq = end + 1;
    }
    if (more > 0) ranges.push(`${more} more range(s)`);
    return ranges.join(', ');
  }
}
