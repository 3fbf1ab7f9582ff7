/**
 * The endpoints of one servant as the client sees them: one lazily connected, multiplexed connection each, round
 * robin selection, and each endpoint's health (connect backoff, isolation by failure rate, probes; see
 * endpoint-health.ts).
 */
import type { Logger } from 'pino';
import { ClientConnection } from './client-connection.js';
import type { Endpoint } from './endpoint.js';
import { endpointKey, formatEndpoint } from './endpoint.js';
import { EndpointHealth, type HealthPolicy } from './endpoint-health.js';
import { TarsRet, TarsRpcError } from './errors.js';

/** Connection and health policy of a pool, resolved by the {@link ObjectProxy}. */
export interface EndpointPoolOptions {
  readonly connectTimeout: number;
  readonly maxPacketLength: number;
  readonly maxBufferedBytes: number;
  readonly health: HealthPolicy;
  readonly logger: Logger;
  readonly firstRequestId?: number;
  /** Clock for backoff and isolation (tests move it by hand). Default Date.now. */
  readonly now?: () => number;
}

/** One endpoint's connection and health. The proxy reports each call's outcome against it. */
export interface EndpointSlot {
  readonly endpoint: Endpoint;
  readonly key: string;
  conn: ClientConnection | undefined;
  readonly health: EndpointHealth;
}

export class EndpointPool {
  readonly #opts: EndpointPoolOptions;
  #slots: EndpointSlot[] = [];
  #rr = 0;
  #closed = false;
  #waiters = new Set<() => void>();
  readonly #now: () => number;

  constructor(opts: EndpointPoolOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Current endpoints (a copy). */
  get endpoints(): Endpoint[] {
    return this.#slots.map((s) => s.endpoint);
  }

  /** Replaces the endpoint list, keeping the connections and health of endpoints that stay. */
  setEndpoints(endpoints: readonly Endpoint[]): void {
    const old = new Map(this.#slots.map((s) => [s.key, s]));
    const next: EndpointSlot[] = [];
    for (const endpoint of endpoints) {
      const key = endpointKey(endpoint);
      if (next.some((s) => s.key === key)) continue;
      next.push(
        old.get(key) ?? { endpoint, key, conn: undefined, health: new EndpointHealth(this.#opts.health) },
      );
      old.delete(key);
    }
    this.#slots = next;
    for (const gone of old.values()) void gone.conn?.close(this.#opts.connectTimeout);
    if (next.length > 0) this.#wake();
  }

  /** Endpoints whose connection is open now (diagnostics and tests). */
  get openConnections(): number {
    return this.#slots.filter((s) => s.conn?.isOpen === true).length;
  }

  /** Bytes of requests waiting to be written, over every connection (diagnostics and tests). */
  get bufferedBytes(): number {
    let n = 0;
    for (const s of this.#slots) n += s.conn?.bufferedBytes ?? 0;
    return n;
  }

  /** Endpoints whose connection refuses new calls now, over `maxBufferedBytes` (diagnostics and tests). */
  get refusingConnections(): number {
    return this.#slots.filter((s) => s.conn?.isOpen === true && s.conn.refusing).length;
  }

  /**
   * Fast path: the next endpoint in round robin, if its connection is open and healthy. An open connection that is
   * refusing calls (over `maxBufferedBytes`) is passed over as if it were not in the list, so its share goes to the
   * next endpoint; any other endpoint that is not open and healthy ends the fast path, as it always did.
   */
  pickOpen(): EndpointSlot | undefined {
    const n = this.#slots.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#rr + k) % n;
      const slot = this.#slots[i];
      const conn = slot?.conn;
      if (slot === undefined || !conn?.isOpen || slot.health.isolated) return undefined;
      if (conn.refusing) continue;
      this.#rr = i + 1;
      return slot;
    }
    return undefined;
  }

  /**
   * An endpoint with an open connection, connecting lazily and moving on to the next endpoint when a connect
   * fails. Waits for backoff, isolation or an empty list to end, but not past `deadline` (epoch ms). An open
   * connection that is refusing calls (over `maxBufferedBytes`) is taken only when no other endpoint can be tried
   * now: then the call fails at once with its -9, as it would with that endpoint alone.
   */
  async acquire(deadline: number): Promise<EndpointSlot> {
    let lastError: TarsRpcError | undefined;
    while (!this.#closed) {
      const now = this.#now();
      const n = this.#slots.length;
      let tried = false;
      let refusing = -1;
      for (let i = 0; i < n; i++) {
        const idx = (this.#rr + i) % n;
        const slot = this.#slots[idx];
        if (slot === undefined || !slot.health.selectable(now)) continue;
        if (slot.conn?.isOpen && slot.conn.refusing) {
          if (refusing < 0) refusing = idx;
          continue;
        }
        this.#rr = idx + 1;
        if (slot.health.isolated) slot.health.probing = true;
        if (slot.conn?.isOpen) return slot;
        tried = true;
        try {
          await this.#connect(slot);
          return slot;
        } catch (err) {
          lastError =
            err instanceof TarsRpcError ? err : new TarsRpcError(TarsRet.ProxyConnectError, String(err));
          break; // re-read the clock and the list: they may have changed while connecting
        }
      }
      if (tried) continue;
      const full = refusing < 0 ? undefined : this.#slots[refusing];
      if (full !== undefined) {
        // Every endpoint that could take the call now is refusing: its send fails with -9 (and abandons the probe).
        this.#rr = refusing + 1;
        if (full.health.isolated) full.health.probing = true;
        return full;
      }
      // Nothing selectable now: wait for a backoff or cool-down to end, for a probe's verdict (report* and abandon
      // wake us), or for the registry's first answer.
      const waits = this.#slots
        .filter((s) => !(s.health.isolated && s.health.probing))
        .map((s) => s.health.readyAt);
      const wakeAt = waits.length === 0 ? deadline : Math.min(...waits);
      if (wakeAt > deadline || this.#now() >= deadline) {
        throw (
          lastError ??
          (n === 0
            ? new TarsRpcError(TarsRet.AdapterNull, 'no endpoint for this servant')
            : new TarsRpcError(TarsRet.ProxyConnectError, 'every endpoint is backing off or isolated'))
        );
      }
      await this.#sleep(wakeAt - this.#now());
    }
    throw new TarsRpcError(TarsRet.SendRequestError, 'proxy closed');
  }

  /** A call got a reply (any iRet): the endpoint is healthy. */
  reportSuccess(slot: EndpointSlot): void {
    if (slot.health.callSucceeded(this.#now()) !== 'recovered') return;
    this.#opts.logger.info({ endpoint: formatEndpoint(slot.endpoint) }, 'tars endpoint back');
    this.#wake();
  }

  /**
   * The call that acquired `slot` ended before it could send (it timed out while connecting). Its probe, if it was
   * one, did not happen: let the next call probe, or the isolated endpoint would wait for a verdict forever.
   */
  abandon(slot: EndpointSlot): void {
    if (!slot.health.probing) return;
    slot.health.probing = false;
    this.#wake();
  }

  /** A call sent on `slot` timed out or lost its connection. */
  reportFailure(slot: EndpointSlot): void {
    const probed = slot.health.probing;
    const now = this.#now();
    if (slot.health.callFailed(now) === 'isolated') {
      this.#opts.logger.warn(
        {
          endpoint: formatEndpoint(slot.endpoint),
          reason: slot.health.lastReason,
          probeInMs: slot.health.readyAt - now,
        },
        'tars endpoint isolated',
      );
    }
    if (probed) this.#wake(); // calls waiting for the verdict learn it now
  }

  /** Closes every connection after its in-flight calls (up to `limitMs`). */
  async close(limitMs: number): Promise<void> {
    this.#closed = true;
    this.#wake();
    await Promise.all(this.#slots.map((s) => s.conn?.close(limitMs)));
  }

  /** Closes every connection now; in-flight calls fail. */
  destroy(err: TarsRpcError): void {
    this.#closed = true;
    this.#wake();
    for (const s of this.#slots) s.conn?.destroy(err);
  }

  #connect(slot: EndpointSlot): Promise<void> {
    let conn = slot.conn;
    if (conn === undefined || conn.isGone) {
      conn = new ClientConnection(slot.endpoint, {
        connectTimeout: this.#opts.connectTimeout,
        maxPacketLength: this.#opts.maxPacketLength,
        maxBufferedBytes: this.#opts.maxBufferedBytes,
        logger: this.#opts.logger,
        firstRequestId: this.#opts.firstRequestId,
      });
      slot.conn = conn;
      // One verdict per attempt, however many calls wait for it (registered first, so it runs before theirs).
      conn.connect().then(
        () => slot.health.connected(),
        () => {
          const probed = slot.health.probing;
          slot.health.connectFailed(this.#now());
          if (probed) this.#wake(); // calls waiting for the probe may try now
        },
      );
    }
    return conn.connect();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.#waiters.add(done);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
