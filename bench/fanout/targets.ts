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
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/**
 * Run when `--targets` is not given: tars-ws with its subscribers on the text protocol, on the Centrifugo protocol
 * and on both (half each), and its two peers. `ws-corked` is a reference for analysis; `tars-ws-stats` is tars-ws
 * with statistics reporting on (its cost), `tars-ws-metrics` with Prometheus metrics on.
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
