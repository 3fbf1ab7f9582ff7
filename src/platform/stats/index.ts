/**
 * Statistics and properties for the Tars platform: counters of the gateway's traffic and Tars calls
 * (`attachWorkerStats`, in every worker), gathered and reported by `startStatReporting` (in the primary or the
 * single process), kept between reports in a pluggable {@link StatStore}.
 */
export { attachWorkerStats, type WorkerStatsOptions } from './worker-stats.js';
export {
  startStatReporting,
  type StatReporting,
  type StatReportingConfig,
  type StatReportingOptions,
} from './stat-reporting.js';
export type { StatStore, StatRecord } from '../../stats/stat-store.js';
export { MemoryStatStore } from '../../stats/stat-store-memory.js';
export { openStatStore } from './open-stat-store.js';
export { StatCollector, type StatEntry, type StatKind } from './stat-collector.js';
export { StatCounter, LATENCY_BUCKETS, mergeRecord, fieldMerge } from '../../stats/stat-counter.js';
export { PROPERTIES, formatProperty, type PropertyDef, type PropertyPolicy } from './properties.js';
export type { StatDelta } from './stat-delta.js';
