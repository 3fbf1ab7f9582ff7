/**
 * What a worker hands to the reporting process about once a second (over cluster IPC, or in-process when there is
 * no cluster): the traffic figures since the previous delta and its current gauges. Plain JSON.
 */
import type { StatEntry } from './stat-collector.js';

export interface StatDelta {
  /** Milliseconds this delta covers. */
  elapsedMs: number;
  entries: StatEntry[];
  gauges: {
    connections: number;
    /** Rooms of the whole deployment; sent by one worker only (undefined in the others). */
    rooms?: number;
    /** Messages received / frames delivered during `elapsedMs`. */
    messagesIn: number;
    messagesOut: number;
    rssBytes: number;
    heapUsedBytes: number;
    /** Largest event-loop delay during `elapsedMs`, beyond the expected timer period. */
    lagMaxMs: number;
  };
}

/** IPC kind of a delta (`sendToPrimary(STATS_KIND, delta)`). */
export const STATS_KIND = 'stats';

/** Checks the shape of a delta arriving over IPC (from our own workers, but a bad one must not throw later). */
export function isStatDelta(v: unknown): v is StatDelta {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Partial<StatDelta>;
  return (
    typeof d.elapsedMs === 'number' &&
    Array.isArray(d.entries) &&
    typeof d.gauges === 'object' &&
    d.gauges !== null &&
    typeof d.gauges.connections === 'number'
  );
}

/** The in-process link between a gateway's stats and the reporter of a single-process deployment. */
type LocalSink = (delta: StatDelta) => void;
let localSink: LocalSink | undefined;
const localDrains = new Set<() => void>();

export const localStats = {
  /** The reporter of this process receives deltas (undefined: nobody reports, deltas are dropped). */
  setSink(sink: LocalSink | undefined): void {
    localSink = sink;
  },
  send(delta: StatDelta): void {
    localSink?.(delta);
  },
  /** A gateway's "ship now" function, so that a flush of the reporter sees every count made so far. */
  addDrain(drain: () => void): () => void {
    localDrains.add(drain);
    return () => localDrains.delete(drain);
  },
  drainAll(): void {
    for (const d of localDrains) d();
  },
};
