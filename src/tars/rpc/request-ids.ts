/**
 * Request ids for multiplexing calls on one connection. Ids are positive int32s; they wrap to 1 before 2^31
 * (the Node reference overflows there) and skip ids whose call is still in flight.
 */

const MAX_ID = 0x7fffffff;

/** Hands out request ids for one connection, given a view of the ids in flight. */
export class RequestIds {
  #next: number;
  readonly #inFlight: { has(id: number): boolean; readonly size: number };

  /** @param start first id to hand out (tests use it to reach the wrap-around quickly). */
  constructor(inFlight: { has(id: number): boolean; readonly size: number }, start = 1) {
    this.#inFlight = inFlight;
    this.#next = start >= 1 && start <= MAX_ID ? Math.floor(start) : 1;
  }

  /** The next free id. Throws if all 2^31-1 ids are in flight (practically impossible). */
  next(): number {
    if (this.#inFlight.size >= MAX_ID) throw new RangeError('no free Tars request id');
    for (;;) {
      const id = this.#next;
      this.#next = id >= MAX_ID ? 1 : id + 1;
      if (!this.#inFlight.has(id)) return id;
    }
  }
}
