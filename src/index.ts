/**
 * Public API of tars-ws: the core, and the composition layer that opens the backends a config names. Backends are
 * loaded only when configured; their classes are on their own entries (`tars-ws/redis`, `tars-ws/nats`,
 * `tars-ws/file`, `tars-ws/cluster`), so importing this one never loads ioredis or nats.
 */
import { Gateway } from './gateway/gateway.js';
import { openBackends } from './platform/backends.js';

Gateway.useBackends(openBackends);

export {
  DEFAULT_CHANNEL_OPTIONS,
  defaultConfig,
  describeChanges,
  LIVE_KEYS,
  LiveSettings,
  OPTIONS,
  type ChannelOptions,
  type ConfigChange,
  type GatewayConfig,
  type NamespaceOptions,
  type LiveKey,
  type LogLevel,
} from './config/index.js';
export { reloadGatewayConfig } from './platform/config-reload.js';
export {
  currentTarsConfig,
  loadConfig,
  resolveConfig,
  type LoadConfigInput,
  type ResolvedConfig,
} from './platform/config-load.js';
export { CloseCode, ConfigError, ErrorCode, GatewayError } from './errors.js';
export { Gateway, type GatewayDeps, type GatewayObserver, type GatewayStats } from './gateway/gateway.js';
export type { GatewayApi } from './gateway/api.js';
export {
  PushCallers,
  PushService,
  type PushCaller,
  type PushPolicy,
  type PushRequest,
  type PushResult,
  type PublishOptions,
  type HistoryAppend,
} from './gateway/push.js';
export { Connection } from './gateway/connection.js';
export { MessageContext, type HandlerOptions, type MessageHandler } from './gateway/messages.js';
export { registerRoomCommands, UNKNOWN_COMMAND_REPLY } from './gateway/room-commands.js';
export { closeOnSignals } from './gateway/signals.js';
export { Controller, type ActionResult, type ControllerClass, type HttpContext } from './http/controller.js';
export type { RouteHandler } from './http/router.js';
export { checkPrivileged, isLoopback, isLoopbackHost } from './gateway/access.js';
export {
  jsonProtocol,
  textProtocol,
  PROTOCOLS,
  type InboundMessage,
  type OutboundPush,
  type Protocol,
} from './protocol/index.js';
export { MemoryRoomStore, validateRoomId, type MembershipSource, type RoomStore } from './store/index.js';
export { BusBroker, LocalBroker, type Broker, type BrokerMessage, type BusTarget } from './broker/index.js';
export type { BackendOpener, Backends, GivenBackends } from './gateway/backends.js';
export { openBackends, openRoomStore, type RoomStoreOptions } from './platform/backends.js';
export { createLogger, type Logger } from './logger.js';
export {
  connIdBase,
  processOfConn,
  type ConnId,
  type NodeId,
  type ProcessIndex,
  type RoomId,
} from './types.js';
export {
  enableMetrics,
  serveClusterMetrics,
  type GatewayMetrics,
  type MetricsOptions,
} from './platform/metrics/metrics.js';
export { enableAdmin, type EnableAdminOptions } from './platform/admin.js';
export type { AdminDashboard, AdminClusterFactory, NodeSnapshot } from './http/admin/index.js';
export { runGateway, type BuildGateway, type RunningGateway, type RunOptions } from './platform/run.js';
export { Supervisor, type ControlReply, type SupervisorOptions } from './platform/supervisor.js';
export {
  serveControl,
  sendToPrimary,
  workerId,
  isClusterWorker,
  type ControlHandler,
} from './cluster/worker.js';
export type { AdminCommand, AdminCommands } from './platform/tars/admin-worker.js';
export type { TarsServerConfig, TarsAdapterConfig } from './platform/tars/tars-conf.js';
