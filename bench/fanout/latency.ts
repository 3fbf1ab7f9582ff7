/**
 * Publish-to-receive latency. A message starts with its `performance.now()` send time; receivers live in the same
 * process as the publisher, so the clocks agree. Samples go into a preallocated array: recording must stay cheap
 * because it runs once per delivery on the load generator's only core.
 */

/**
 * Builds a message of `size` characters: the send time, a space, then padding. With `seq`, the sequence number
 * follows the send time (`<time> <seq> xxx...`), for the order check of pipelined mode (sequence.ts).
 */
export function stampedMessage(size: number, seq?: number): string {
  const stamp = performance.now().toFixed(3);
  const head = seq === undefined ? stamp : `${stamp} ${seq}`;
  return head.length + 1 >= size ? head : `${head} ${'x'.repeat(size - head.length - 1)}`;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

export class DeliveryRecorder {
  #samples: Float64Array;
  #count = 0;
  #lastAt = 0;

  constructor(capacity: number) {
    this.#samples = new Float64Array(Math.max(1, capacity));
  }

  /** Deliveries recorded since the last {@link reset} (beyond capacity too). */
  get count(): number {
    return this.#count;
  }

  /** `performance.now()` of the latest delivery; 0 before the first. */
  get lastAt(): number {
    return this.#lastAt;
  }

  /** Forgets every delivery, e.g. those of the warm-up. */
  reset(capacity: number): void {
    if (capacity > this.#samples.length) this.#samples = new Float64Array(capacity);
    this.#count = 0;
    this.#lastAt = 0;
  }

  /** Records one received message built by {@link stampedMessage}. */
  readonly record = (text: string): void => {
    const now = performance.now();
    if (this.#count < this.#samples.length) this.#samples[this.#count] = now - parseFloat(text);
    this.#count++;
    this.#lastAt = now;
  };

  /** Latency percentiles of the first `upTo` deliveries, in milliseconds; zeros when nothing arrived. */
  summary(upTo = this.#count): LatencySummary {
    const n = Math.min(upTo, this.#count, this.#samples.length);
    if (n === 0) return { p50: 0, p99: 0, max: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[n - 1] ?? 0 };
  }
}

/** The `q` quantile (0..1) of ascending `sorted` samples, nearest rank; 0 when there are none. */
export function percentile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  return n === 0 ? 0 : (sorted[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0);
}
