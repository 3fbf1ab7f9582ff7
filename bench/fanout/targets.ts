/** The servers under test. Each has a server starter (servers/) run in its own process and a client adapter (clients/). */
export const TARGET_NAMES = [
  'tars-ws',
  'ws',
  'socket.io',
  'ws-corked',
  'tars-ws-stats',
  'tars-ws-metrics',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/**
 * Run when `--targets` is not given: tars-ws and its two peers. `ws-corked` is a reference for analysis;
 * `tars-ws-stats` is tars-ws with statistics reporting on (its cost), `tars-ws-metrics` with Prometheus metrics on.
 */
export const DEFAULT_TARGETS: readonly TargetName[] = ['tars-ws', 'ws', 'socket.io'];

/** The one room every subscriber joins. */
export const ROOM = 'room1';
