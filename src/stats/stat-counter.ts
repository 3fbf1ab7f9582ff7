/**
 * The figures of one stat key (interface + return value) between two reports: the body of a Tars
 * `StatMicMsgBody`. Updated on the message path, so it is a plain object of numbers reset in place, never
 * reallocated. Counting follows the Tars clients: `count` is successful calls, `execCount` failed ones,
 * `timeoutCount` timed-out ones, and the latency fields (buckets, total, max, min) cover successful calls.
 */

/** Upper bounds of the latency buckets (ms), as the platform expects; slower calls count in the last one. */
export const LATENCY_BUCKETS = [5, 10, 50, 100, 200, 500, 1000, 2000, 3000] as const;

/** How a call ended, for {@link StatCounter.add}. */
export const Outcome = { Success: 0, Error: 1, Timeout: 2 } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/**
 * A counter's figures as a flat record of numbers (the stat store's hash fields): `count`, `timeoutCount`,
 * `execCount`, `totalRspTime`, `maxRspTime`, `minRspTime` and `b5`..`b3000` for the buckets. `minRspTime` is
 * absent while there was no successful call (so merging keeps a true minimum).
 */
export type StatRecord = Record<string, number>;

/**
 * How a field merges, by its name: `max…` fields keep the larger value, `min…` fields the smaller, every other
 * field is summed. A naming rule rather than a schema, so that every stat store (a Redis script too) merges alike.
 */
export function fieldMerge(field: string): 'max' | 'min' | 'sum' {
  if (field.startsWith('max')) return 'max';
  if (field.startsWith('min')) return 'min';
  return 'sum';
}

export const bucketField = (bound: number): string => `b${bound}`;

export class StatCounter {
  count = 0;
  timeoutCount = 0;
  execCount = 0;
  totalRspTime = 0;
  maxRspTime = 0;
  /** Infinity until the first success. */
  minRspTime = Infinity;
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length);

  add(outcome: Outcome, ms: number): void {
    if (outcome === Outcome.Timeout) {
      this.timeoutCount++;
      return;
    }
    if (outcome === Outcome.Error) {
      this.execCount++;
      return;
    }
    this.count++;
    this.totalRspTime += ms;
    if (ms > this.maxRspTime) this.maxRspTime = ms;
    if (ms < this.minRspTime) this.minRspTime = ms;
    let i = 0;
    while (i < LATENCY_BUCKETS.length - 1 && ms > LATENCY_BUCKETS[i]!) i++;
    this.buckets[i]!++;
  }

  get empty(): boolean {
    return this.count === 0 && this.timeoutCount === 0 && this.execCount === 0;
  }

  /** Clears the figures in place (the object is reused for the next interval). */
  reset(): void {
    this.count = 0;
    this.timeoutCount = 0;
    this.execCount = 0;
    this.totalRspTime = 0;
    this.maxRspTime = 0;
    this.minRspTime = Infinity;
    this.buckets.fill(0);
  }

  /** The figures as a record (see {@link StatRecord}); zero buckets are left out. */
  toRecord(): StatRecord {
    const r: StatRecord = {
      count: this.count,
      timeoutCount: this.timeoutCount,
      execCount: this.execCount,
      totalRspTime: this.totalRspTime,
      maxRspTime: this.maxRspTime,
    };
    if (this.minRspTime !== Infinity) r.minRspTime = this.minRspTime;
    LATENCY_BUCKETS.forEach((b, i) => {
      if (this.buckets[i]! > 0) r[bucketField(b)] = this.buckets[i]!;
    });
    return r;
  }
}

/** Merges `delta` into `into` in place (see {@link fieldMerge}); returns `into`. */
export function mergeRecord(into: StatRecord, delta: Readonly<StatRecord>): StatRecord {
  for (const [field, value] of Object.entries(delta)) {
    const cur = into[field];
    if (cur === undefined) {
      into[field] = value;
      continue;
    }
    const how = fieldMerge(field);
    into[field] = how === 'max' ? Math.max(cur, value) : how === 'min' ? Math.min(cur, value) : cur + value;
  }
  return into;
}
