/**
 * The health of one endpoint as the client judges it, after the TarsCpp / @tars/rpc `CheckTimeoutInfo` policy:
 * calls that time out or lose their connection isolate an endpoint when they are a run of `isolateAfter`, or at
 * least `isolateRatio` of `isolateMinCalls` or more calls in an `isolateWindow`. Connect failures only delay the
 * next connect (exponential backoff): a service that is down is retried within `backoffMax`, never shut out.
 */

/** When an endpoint is isolated and for how long, and how reconnects back off. Every field is required here. */
export interface HealthPolicy {
  /** Consecutive failed calls (timeouts, lost connections) that isolate the endpoint. */
  readonly isolateAfter: number;
  /** Length of the window in which calls and failures are counted for the ratio, ms. */
  readonly isolateWindow: number;
  /** Calls a window needs before its failure ratio may isolate the endpoint. */
  readonly isolateMinCalls: number;
  /** Failed share of a window's calls (0..1] that isolates the endpoint. */
  readonly isolateRatio: number;
  /** Time before the first probe call after an isolation, ms; doubles per failed probe up to `isolateForMax`. */
  readonly isolateFor: number;
  /** Default: the larger of 30000 and `isolateFor`. */
  readonly isolateForMax: number;
  /** Delay before reconnecting after a failed connect, ms; doubles per consecutive failure up to `backoffMax`. */
  readonly backoffBase: number;
  /** Default: the larger of 2000 and `backoffBase`. */
  readonly backoffMax: number;
}

/** The defaults, documented in docs/tars-rpc.md. */
export const DEFAULT_HEALTH_POLICY: HealthPolicy = {
  isolateAfter: 5,
  isolateWindow: 60_000,
  isolateMinCalls: 10,
  isolateRatio: 0.5,
  isolateFor: 3000,
  isolateForMax: 30_000,
  backoffBase: 100,
  backoffMax: 2000,
};

/** Fills in the defaults and checks every value; throws a RangeError naming the bad option. */
export function resolveHealthPolicy(options: Partial<HealthPolicy>): HealthPolicy {
  const p: Record<keyof HealthPolicy, number> = { ...DEFAULT_HEALTH_POLICY };
  for (const key of Object.keys(p) as (keyof HealthPolicy)[]) p[key] = options[key] ?? p[key];
  // A first delay longer than the default maximum, given alone, raises the maximum instead of being refused.
  if (options.isolateForMax === undefined) p.isolateForMax = Math.max(p.isolateForMax, p.isolateFor);
  if (options.backoffMax === undefined) p.backoffMax = Math.max(p.backoffMax, p.backoffBase);
  const check = (key: keyof HealthPolicy, ok: boolean, accepted: string): void => {
    if (!ok) throw new RangeError(`ObjectProxy option ${key} must be ${accepted}, got ${String(p[key])}`);
  };
  const count = (key: keyof HealthPolicy): void =>
    check(
      key,
      p[key] === Infinity || (Number.isInteger(p[key]) && p[key] >= 1),
      'an integer >= 1 or Infinity',
    );
  const ms = (key: keyof HealthPolicy, min: number): void =>
    check(key, Number.isFinite(p[key]) && p[key] >= min, `a number of ms >= ${min}`);
  count('isolateAfter');
  count('isolateMinCalls');
  check('isolateRatio', p.isolateRatio > 0 && p.isolateRatio <= 1, 'a ratio in (0, 1]');
  ms('isolateWindow', 1);
  ms('isolateFor', 1);
  ms('isolateForMax', p.isolateFor);
  ms('backoffBase', 0);
  ms('backoffMax', p.backoffBase);
  return p;
}

/** What a reported outcome changed, so that the pool can log it and wake the calls waiting for a verdict. */
export type HealthChange = 'isolated' | 'recovered' | 'none';

/**
 * One endpoint's counters. Times are epoch ms from the pool's clock, passed in so that tests can move it. The
 * counting window starts with the first call after the previous one ended (tumbling windows).
 */
export class EndpointHealth {
  readonly #policy: HealthPolicy;
  #connectFailures = 0;
  #connectRetryAt = 0;
  #windowStart = 0;
  #calls = 0;
  #failures = 0;
  #consecutive = 0;
  #isolated = false;
  #isolatedUntil = 0;
  #failedProbes = 0;
  /** An isolated endpoint lets one probe call through at a time. */
  probing = false;
  /** Why the endpoint was last isolated, for the log. */
  lastReason = '';

  constructor(policy: HealthPolicy) {
    this.#policy = policy;
  }

  get isolated(): boolean {
    return this.#isolated;
  }

  /** Epoch ms before which no call may use the endpoint (a connect backoff or an isolation); 0: now. */
  get readyAt(): number {
    return Math.max(this.#connectRetryAt, this.#isolated ? this.#isolatedUntil : 0);
  }

  /** A call may take the endpoint now (as a probe if it is isolated and no other probe is out). */
  selectable(now: number): boolean {
    return this.readyAt <= now && !(this.#isolated && this.probing);
  }

  /** A connect succeeded: the backoff starts over. */
  connected(): void {
    this.#connectFailures = 0;
    this.#connectRetryAt = 0;
  }

  /** A connect failed: back off before the next attempt. It says nothing about calls, so it never isolates. */
  connectFailed(now: number): void {
    this.#connectFailures++;
    const { backoffBase, backoffMax } = this.#policy;
    this.#connectRetryAt = now + Math.min(backoffBase * 2 ** (this.#connectFailures - 1), backoffMax);
    this.probing = false; // the probe never reached the servant: the next call may try again
  }

  /** A call got a reply (any iRet): the servant is there. */
  callSucceeded(now: number): HealthChange {
    this.#consecutive = 0;
    if (!this.#isolated) {
      this.#count(now);
      return 'none';
    }
    this.#isolated = false;
    this.probing = false;
    this.#failedProbes = 0;
    this.#windowStart = now;
    this.#calls = 1;
    this.#failures = 0;
    return 'recovered';
  }

  /** A call timed out or lost its connection. */
  callFailed(now: number): HealthChange {
    if (this.#isolated) {
      // Calls sent before the isolation may still fail; only the probe's verdict moves the next one.
      if (!this.probing) return 'none';
      this.probing = false;
      this.#failedProbes++;
      const { isolateFor, isolateForMax } = this.#policy;
      this.#isolatedUntil = now + Math.min(isolateFor * 2 ** this.#failedProbes, isolateForMax);
      return 'none';
    }
    this.#count(now);
    this.#failures++;
    this.#consecutive++;
    const { isolateAfter, isolateMinCalls, isolateRatio } = this.#policy;
    if (this.#consecutive >= isolateAfter) {
      this.lastReason = `${this.#consecutive} consecutive failed calls`;
    } else if (this.#calls >= isolateMinCalls && this.#failures >= isolateRatio * this.#calls) {
      this.lastReason = `${this.#failures} of ${this.#calls} calls failed`;
    } else {
      return 'none';
    }
    this.#isolated = true;
    this.probing = false;
    this.#isolatedUntil = now + this.#policy.isolateFor;
    this.#consecutive = 0;
    return 'isolated';
  }

  #count(now: number): void {
    if (now - this.#windowStart >= this.#policy.isolateWindow) {
      this.#windowStart = now;
      this.#calls = 0;
      this.#failures = 0;
    }
    this.#calls++;
  }
}
