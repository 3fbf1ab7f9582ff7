/**
 * The seam between the admin dashboard and the deployment: every node's latest snapshot, and commands run on the
 * node that holds what they name. The core has the one-process implementation; a backend (Redis across machines,
 * the cluster primary across workers) implements the same interface and is chosen by the composition layer.
 */
import { ErrorCode, GatewayError } from '../../errors.js';
import type { ConnId, NodeId, ProcessIndex, RoomId } from '../../types.js';

/** One gateway process as the dashboard shows it, sampled about once a second. */
export interface NodeSnapshot {
  node: NodeId;
  processIndex: ProcessIndex;
  host: string;
  pid: number;
  startedAt: number;
  /** When this snapshot was taken (ms since the epoch). */
  at: number;
  draining: boolean;
  connections: number;
  /** Open connections by protocol name, counted at the last sample (at most a second old). */
  byProtocol: Record<string, number>;
  /** Rooms with a member on this process. */
  rooms: number;
  /** WebSocket messages received per second over the last sample. */
  messagesInPerSec: number;
  /** Frames written to receivers per second over the last sample. */
  deliveriesPerSec: number;
  /** CPU time of this process over the last sample, in % of one core. */
  cpuPercent: number;
  rssBytes: number;
  heapUsedBytes: number;
}

/** A connection in lists. */
export interface ConnectionSummary {
  id: ConnId;
  node: NodeId;
  protocol: string;
  address: string;
  user: string;
  openedAt: number;
  rooms: number;
  bufferedBytes: number;
}

/** A connection in full. */
export interface ConnectionDetail extends Omit<ConnectionSummary, 'rooms'> {
  rooms: RoomId[];
  origin: string;
  userAgent: string;
  path: string;
  readingPaused: boolean;
}

/** What one node is asked to do or tell. */
export type AdminCommand =
  | { op: 'connections'; offset: number; limit: number }
  | { op: 'connection'; id: ConnId }
  | { op: 'disconnect'; id: ConnId }
  | { op: 'drain' };

/** What the admin API asks of the deployment. */
export interface AdminCluster {
  /** The latest snapshot of every live node, this one included, ordered by process index. */
  nodes(): Promise<NodeSnapshot[]>;
  /**
   * Runs a command on the node with that process index and resolves its JSON result. Rejects with a GatewayError
   * NOT_FOUND when no such node answers in time.
   */
  run(target: ProcessIndex, command: AdminCommand): Promise<unknown>;
  close(): Promise<void>;
}

/** This node, as a backend sees it: what it publishes, and who runs the commands sent to it. */
export interface AdminNodeSource {
  readonly processIndex: ProcessIndex;
  snapshot(): NodeSnapshot;
  run(command: AdminCommand): Promise<unknown>;
}

/** Builds the cluster view around this node (given by the composition layer; default {@link localAdminCluster}). */
export type AdminClusterFactory = (local: AdminNodeSource) => AdminCluster | Promise<AdminCluster>;

/** The error of a command for a node that is not there (or did not answer). */
export function unknownNode(target: ProcessIndex): GatewayError {
  return new GatewayError(ErrorCode.NotFound, `no live node with process index ${target}`);
}

/** One process: the only node is this one. */
export const localAdminCluster: AdminClusterFactory = (local) => ({
  nodes: () => Promise.resolve([local.snapshot()]),
  run: (target, command) =>
    target === local.processIndex ? local.run(command) : Promise.reject(unknownNode(target)),
  close: () => Promise.resolve(),
});

/** Checks a command received from another node (JSON off a bus); undefined when it is not one. */
export function parseAdminCommand(value: unknown): AdminCommand | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  switch (v['op']) {
    case 'connections':
      return int(v['offset']) && int(v['limit'])
        ? { op: 'connections', offset: v['offset'], limit: v['limit'] }
        : undefined;
    case 'connection':
    case 'disconnect':
      return int(v['id']) ? { op: v['op'], id: v['id'] } : undefined;
    case 'drain':
      return { op: 'drain' };
    default:
      return undefined;
  }
}
