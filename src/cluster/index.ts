/**
 * The node:cluster backend (`tars-ws/cluster`): what a worker uses to share its primary's room store, history,
 * presence and relay (IpcRoomStore, IpcHistoryStore, IpcPresenceStore, ClusterBroker), the primary's side of the
 * engines (EngineHost), and the worker side of the control channel. The rest of the primary is src/platform.
 */
export { ClusterBroker } from './broker-cluster.js';
export { IpcRoomStore } from './room-store-ipc.js';
export { IpcHistoryStore } from './history-store-ipc.js';
export { IpcPresenceStore } from './presence-store-ipc.js';
export { EngineHost } from './engine-host.js';
export {
  announceReady,
  clusterWorkerDeps,
  isClusterWorker,
  sendToPrimary,
  serveControl,
  workerId,
  type ControlHandler,
} from './worker.js';
export {
  IpcAdminCluster,
  ADMIN_NODES,
  ADMIN_RUN,
  ADMIN_SNAPSHOT,
  type AdminRunReply,
} from './admin-cluster-ipc.js';
