/** The servers under test. Each has a server starter (servers/) run in its own process and a client adapter (clients/). */
export const TARGET_NAMES = ['tars-ws', 'ws', 'socket.io', 'ws-corked'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Run when `--targets` is not given: tars-ws and its two peers. `ws-corked` is a reference for analysis. */
export const DEFAULT_TARGETS: readonly TargetName[] = ['tars-ws', 'ws', 'socket.io'];

/** The one room every subscriber joins. */
export const ROOM = 'room1';
