/**
 * Service properties reported to PropertyObj: what is sampled (about once a second), how samples accumulate in
 * the stat store between reports, and how each policy is written (`Avg` = floor(sum/count), `Distr` =
 * `r1|n1,r2|n2,...`). A sample lands in the `Distr` bucket of the largest range bound not above it, as the Tars
 * C++ property report does.
 */
import type { StatPropInfo } from '../tars/generated/PropertyF.js';
import type { StatRecord } from '../../stats/stat-counter.js';

export type PropertyPolicy = 'Sum' | 'Avg' | 'Distr' | 'Count' | 'Max' | 'Min';

export interface PropertyDef {
  name: string;
  policies: readonly PropertyPolicy[];
  /** Ascending range bounds of `Distr` (the first is usually 0). */
  distr?: readonly number[];
}

/** The gauges a process samples; summed over the workers, except the event-loop lag (the largest). */
export interface PropertySample {
  connections: number;
  rooms: number;
  messagesInPerSec: number;
  messagesOutPerSec: number;
  rssMB: number;
  heapUsedMB: number;
  eventLoopLagMs: number;
}

/** The reported properties, by {@link PropertySample} field. */
export const PROPERTIES: readonly (PropertyDef & { name: keyof PropertySample })[] = [
  { name: 'connections', policies: ['Avg', 'Max', 'Min'] },
  { name: 'rooms', policies: ['Avg', 'Max'] },
  { name: 'messagesInPerSec', policies: ['Avg', 'Max'] },
  { name: 'messagesOutPerSec', policies: ['Avg', 'Max'] },
  { name: 'rssMB', policies: ['Avg', 'Max'] },
  { name: 'heapUsedMB', policies: ['Avg', 'Max'] },
  { name: 'eventLoopLagMs', policies: ['Avg', 'Max', 'Distr'], distr: [0, 1, 5, 10, 50, 100, 500, 1000] },
];

/** One sample as a mergeable record (`sum`, `count`, `max`, `min`, and `d<bound>` per Distr range). */
export function sampleRecord(def: PropertyDef, value: number): StatRecord {
  const r: StatRecord = { sum: value, count: 1, max: value, min: value };
  if (def.distr && def.distr.length > 0) r[`d${def.distr[distrIndex(def.distr, value)]}`] = 1;
  return r;
}

function distrIndex(ranges: readonly number[], value: number): number {
  let i = 0;
  while (i + 1 < ranges.length && value >= ranges[i + 1]!) i++;
  return i;
}

/** The values of a property's policies over the accumulated samples. */
export function formatProperty(def: PropertyDef, acc: Readonly<StatRecord>): StatPropInfo[] {
  const count = acc.count ?? 0;
  const sum = acc.sum ?? 0;
  return def.policies.map((policy) => {
    let value: string;
    switch (policy) {
      case 'Sum':
        value = String(Math.round(sum));
        break;
      case 'Avg':
        value = String(count === 0 ? 0 : Math.floor(sum / count));
        break;
      case 'Count':
        value = String(count);
        break;
      case 'Max':
        value = String(Math.round(acc.max ?? 0));
        break;
      case 'Min':
        value = String(Math.round(acc.min ?? 0));
        break;
      case 'Distr':
        value = (def.distr ?? []).map((r) => `${r}|${acc[`d${r}`] ?? 0}`).join(',');
        break;
    }
    return { policy, value };
  });
}
