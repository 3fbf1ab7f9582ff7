/**
 * The node:cluster backend (`tars-ws/cluster`): what a worker uses to share its primary's room store and relay
 * (IpcRoomStore, ClusterBroker), and the worker side of the control channel. The primary side is src/platform.
 */
export { ClusterBroker } from './broker-cluster.js';
export { IpcRoomStore } from './room-store-ipc.js';
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
