/**
 * A token bucket: `burst` tokens, refilled at `rate` per second. Each Centrifugo connection has one for its commands
 * (111 when empty) and one for its error replies (closed with 3509 when empty), as Centrifugo PRO's rate limits.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  /** @param rate tokens added per second; 0 with a positive burst: the bucket never refills. */
  constructor(rate: number, burst: number, now = performance.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = performance.now()): boolean {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
