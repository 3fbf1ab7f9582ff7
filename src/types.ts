/** Domain identifiers shared by every layer. */

/**
 * A connection's id (the original's "fd"): a positive integer, unique across every process of a deployment and never
 * reused while the deployment lives. It is `processIndex * 2^32 + sequence`, so the process that holds a connection
 * can be read from its id ({@link processOfConn}) and ids stay exact JavaScript numbers (below 2^53).
 */
export type ConnId = number;
/** A room key as typed by users (`room1`); validated by `validateRoomId`. */
export type RoomId = string;
/** Identifies one gateway process (node + worker) in a multi-process or multi-node deployment, for logs and stores. */
export type NodeId = string;
/**
 * A gateway process's number, unique in the deployment: 0 for a standalone process, given by the cluster primary to
 * each worker it forks, or taken from the shared Redis counter on several machines. At most 2^21 - 1.
 */
export type ProcessIndex = number;

const SEQ_SPAN = 2 ** 32;
export const MAX_PROCESS_INDEX = 2 ** 21 - 1;

/** The first connection id of a process: ids of process p are p * 2^32 + 1, + 2, ... */
export function connIdBase(processIndex: ProcessIndex): ConnId {
  return processIndex * SEQ_SPAN;
}

/** The process that holds a connection. */
export function processOfConn(conn: ConnId): ProcessIndex {
  return Math.floor(conn / SEQ_SPAN);
}
