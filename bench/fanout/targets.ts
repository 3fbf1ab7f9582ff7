/** The servers under test. Each has a server starter (servers/) run in its own process and a client adapter (clients/). */
export const TARGET_NAMES = ['tars-ws', 'ws', 'socket.io'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** The one room every subscriber joins. */
export const ROOM = 'room1';
