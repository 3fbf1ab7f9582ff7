/**
 * Brute-force brake of the admin login, per client address: each failure doubles the delay before the answer
 * (base, 2x, 4x ... up to 64x), and from the fifth failure on the address is locked out for that delay again
 * after the answer, its attempts refused (429) without the password being looked at. Memory is bounded: at most `maxAddresses` are remembered (the oldest forgotten),
 * and an address is forgotten after a quiet quarter of an hour or a good login.
 */

/** Failures before an address is locked out. */
export const LOCKOUT_AFTER = 5;
const MAX_DOUBLINGS = 6;
const FORGET_AFTER_MS = 15 * 60_000;

interface Entry {
  failures: number;
  last: number;
  lockedUntil: number;
}

export class LoginThrottle {
  readonly #baseDelayMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(baseDelayMs: number, maxAddresses = 10_000, now: () => number = Date.now) {
    this.#baseDelayMs = baseDelayMs;
    this.#maxAddresses = maxAddresses;
    this.#now = now;
  }

  /** Milliseconds the address must still wait before it may try again (0: it may). */
  lockedFor(address: string): number {
    const e = this.#entry(address);
    return e ? Math.max(0, e.lockedUntil - this.#now()) : 0;
  }

  /** Records a failure; returns how long to hold the answer back. */
  failed(address: string): number {
    const now = this.#now();
    let e = this.#entry(address);
    if (e)
      this.#entries.delete(address); // re-inserted last: the Map's order is the eviction order
    else {
      if (this.#entries.size >= this.#maxAddresses) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      e = { failures: 0, last: now, lockedUntil: 0 };
    }
    e.failures++;
    e.last = now;
    const delay = this.#baseDelayMs * 2 ** Math.min(e.failures - 1, MAX_DOUBLINGS);
    // The answer itself is held back `delay`; the lock runs as long again after it.
    if (e.failures >= LOCKOUT_AFTER) e.lockedUntil = now + 2 * delay;
    this.#entries.set(address, e);
    return delay;
  }

  succeeded(address: string): void {
    this.#entries.delete(address);
  }

  /** Addresses remembered now (for tests of the bound). */
  get size(): number {
    return this.#entries.size;
  }

  #entry(address: string): Entry | undefined {
    const e = this.#entries.get(address);
    if (e && this.#now() - e.last > Math.max(FORGET_AFTER_MS, e.lockedUntil - e.last)) {
      this.#entries.delete(address);
      return undefined;
    }
    return e;
  }
}
