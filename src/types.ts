/** Domain identifiers shared by every layer. */

/** A connection's id inside one gateway process: a positive integer, never reused while the process lives (the original's "fd"). */
export type ConnId = number;
/** A room key as typed by users (`room1`); validated by {@link validateRoomId}. */
export type RoomId = string;
/** Identifies one gateway process (node + worker) in a multi-process or multi-node deployment. */
export type NodeId = string;
