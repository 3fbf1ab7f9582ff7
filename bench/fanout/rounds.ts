/**
 * Several rounds of the same target and mode folded into one row: each figure is the median over the rounds, so
 * one round disturbed by other work on the shared machine does not decide the comparison.
 */
import type { PipelineResult, RunResult } from './scenario.js';

export interface RoundsSummary extends RunResult {
  /** Rounds folded into this row; `delivered` and `expected` are their sums. */
  rounds: number;
  /** Lowest and highest over the rounds, to show how much the shared machine moved the medians. */
  cpuRange: Range;
  p99Range: Range;
}

export interface Range {
  min: number;
  max: number;
}

export function summarizeRounds(results: readonly RunResult[]): RoundsSummary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = `${r.mode}\u0000${r.target}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    // Failed rounds measured nothing; they show in the note, not in the medians.
    const ok = group.filter((r) => r.delivered > 0);
    const med = (pick: (r: RunResult) => number): number => median(ok.map(pick));
    const notes = [...new Set(group.map((r) => r.note).filter((n) => n !== ''))];
    return {
      target: first.target,
      mode: first.mode,
      rounds: group.length,
      subscribers: med((r) => r.subscribers),
      published: sum(group.map((r) => r.published)),
      expected: sum(group.map((r) => r.expected)),
      delivered: sum(group.map((r) => r.delivered)),
      seconds: med((r) => r.seconds),
      deliveriesPerSec: med((r) => r.deliveriesPerSec),
      serverCpuUs: med((r) => r.serverCpuUs),
      systemShare: med((r) => r.systemShare),
      cpuUsPerDelivery: med((r) => r.cpuUsPerDelivery),
      clientBusy: med((r) => r.clientBusy),
      latency: {
        p50: med((r) => r.latency.p50),
        p99: med((r) => r.latency.p99),
        max: med((r) => r.latency.max),
      },
      cpuRange: range(ok.map((r) => r.cpuUsPerDelivery)),
      p99Range: range(ok.map((r) => r.latency.p99)),
      ...pipelineOf(group),
      note: notes.join('; '),
    };
  });
}

/** Pipelined rounds folded: counts summed like `delivered`, the distinct texts joined. */
function pipelineOf(group: readonly RunResult[]): { pipeline?: PipelineResult } {
  const runs = group.flatMap((r) => (r.pipeline ? [r.pipeline] : []));
  if (runs.length === 0) return {};
  const distinct = (pick: (p: PipelineResult) => string): string =>
    [...new Set(runs.map(pick).filter((t) => t !== ''))].join('; ');
  return {
    pipeline: {
      outOfOrder: sum(runs.map((p) => p.outOfOrder)),
      completeSubscribers: sum(runs.map((p) => p.completeSubscribers)),
      missing: distinct((p) => p.missing),
      publisherClosed: distinct((p) => p.publisherClosed),
    },
  };
}

/** delivered / expected, 0 when nothing was expected. */
export function deliveredShare(r: RunResult): number {
  return r.expected > 0 ? r.delivered / r.expected : 0;
}

/** Median of `values`; 0 when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function range(values: readonly number[]): Range {
  return values.length === 0 ? { min: 0, max: 0 } : { min: Math.min(...values), max: Math.max(...values) };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
