/** The servers under test. Each has a server starter (servers/) run in its own process and a client adapter (clients/). */
export const TARGET_NAMES = [
  'tars-ws',
  'tars-ws-centrifuge',
  'tars-ws-mixed',
  'ws',
  'socket.io',
  'ws-corked',
  'tars-ws-stats',
  'tars-ws-metrics',
  'tars-ws-history',
  'tars-ws-history-redis',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/**
 * Run when `--targets` is not given: tars-ws with its subscribers on the text protocol, on the Centrifugo protocol
 * and on both (half each), and its two peers. `ws-corked` is a reference for analysis; `tars-ws-stats` is tars-ws
 * with statistics reporting on (its cost), `tars-ws-metrics` with Prometheus metrics on, `tars-ws-history` and
 * `tars-ws-history-redis` with the room keeping history (memory and Redis engines).
 */
export const DEFAULT_TARGETS: readonly TargetName[] = [
  'tars-ws',
  'tars-ws-centrifuge',
  'tars-ws-mixed',
  'ws',
  'socket.io',
];

/**
 * The same tars-ws server and publisher as `tars-ws`, with subscribers on another client protocol: compared with
 * the `tars-ws` row (variant / tars-ws) rather than taken as peers. Issue 10's goal is CPU per delivery ≤ this.
 */
export const PROTOCOL_VARIANTS: readonly TargetName[] = ['tars-ws-centrifuge', 'tars-ws-mixed'];
export const PROTOCOL_COST_GOAL = 1.1;

/** The one room every subscriber joins. */
export const ROOM = 'room1';

/**
 * The tars-ws server, publisher and text-protocol subscribers of `tars-ws`, with the room keeping history: compared
 * with the `tars-ws` row (variant / tars-ws). Issue 11's goals for server CPU per delivery, by engine.
 */
export const HISTORY_GOALS: ReadonlyMap<TargetName, number> = new Map<TargetName, number>([
  ['tars-ws-history', 1.3],
  ['tars-ws-history-redis', 1.6],
]);

/** The room's history bounds in the history targets: the demo's `chat:` namespace's, 100 publications for 5 minutes. */
export const BENCH_HISTORY = { historySize: 100, historyTtlMs: 300_000 } as const;
