/** Public API of tars-ws. */
export {
  currentTarsConfig,
  loadConfig,
  defaultConfig,
  OPTIONS,
  type GatewayConfig,
  type LogLevel,
} from './config/index.js';
export { CloseCode, ConfigError, ErrorCode, GatewayError } from './errors.js';
export { Gateway, type GatewayDeps, type GatewayObserver, type GatewayStats } from './gateway/gateway.js';
export { Connection } from './gateway/connection.js';
export { MessageContext, type MessageHandler } from './gateway/messages.js';
export { registerRoomCommands, UNKNOWN_COMMAND_REPLY } from './gateway/room-commands.js';
export { closeOnSignals } from './gateway/signals.js';
export { Controller, type ActionResult, type ControllerClass, type HttpContext } from './http/controller.js';
export type { RouteHandler } from './http/router.js';
export { isLoopback } from './http/push-auth.js';
export {
  jsonProtocol,
  textProtocol,
  PROTOCOLS,
  type InboundMessage,
  type OutboundPush,
  type Protocol,
} from './protocol/index.js';
export {
  FileRoomStore,
  MemoryRoomStore,
  openRoomStore,
  validateRoomId,
  type RoomStore,
} from './store/index.js';
export {
  BusBroker,
  ClusterBroker,
  LocalBroker,
  NatsBroker,
  RedisBroker,
  type Broker,
  type BrokerMessage,
  type NatsBrokerOptions,
  type RedisBrokerOptions,
} from './broker/index.js';
export { RedisRoomStore, type RedisRoomStoreOptions } from './store/room-store-redis.js';
export { IpcRoomStore } from './store/room-store-ipc.js';
export { openBackends, type Backends } from './gateway/backends.js';
export { createLogger, type Logger } from './logger.js';
export {
  connIdBase,
  processOfConn,
  type ConnId,
  type NodeId,
  type ProcessIndex,
  type RoomId,
} from './types.js';
export { runGateway, type BuildGateway, type RunningGateway, type RunOptions } from './cluster/run.js';
export { Supervisor, type ControlReply, type SupervisorOptions } from './cluster/supervisor.js';
export {
  serveControl,
  sendToPrimary,
  workerId,
  isClusterWorker,
  type ControlHandler,
} from './cluster/worker.js';
export type { AdminCommand, AdminCommands } from './tars/platform/admin-worker.js';
export type { TarsServerConfig, TarsAdapterConfig } from './tars/platform/tars-conf.js';
