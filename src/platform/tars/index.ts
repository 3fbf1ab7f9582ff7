/**
 * Running on the Tars platform: the config file tarsnode writes, the service descriptor, the launcher's parts
 * (keepAlive, AdminObj) and PushObj.
 */
export {
  parseTarsServerConfig,
  readTarsServerConfig,
  TARS_LOG_LEVELS,
  type TarsAdapterConfig,
  type TarsLogLevel,
  type TarsServerConfig,
} from './tars-conf.js';
export { findDomain, parseTarsConf, TarsConfSyntaxError, type ConfDomain } from './tars-conf-parser.js';
export { gatewayOptionsFromTars, pinoLevelOf, pushAdapterOf, webAdapterOf } from './tars-conf-gateway.js';
export {
  checkServiceDescriptor,
  DESCRIPTOR_PATH,
  loadServiceDescriptor,
  parseServiceDescriptor,
  servantOf,
  type ServiceDescriptor,
} from './service-descriptor.js';
export { Launcher, type LauncherOptions } from './launcher.js';
export { startKeepAlive, type KeepAlive, type KeepAliveOptions } from './keepalive.js';
export { AdminServant, adminServantNames, type AdminHost } from './admin-servant.js';
export { AdminNotify, type AdminNotifyOptions, type WorkerControl } from './admin-commands.js';
export { adminControlHandlers, type AdminCommand, type AdminCommands } from './admin-worker.js';
export { attachTarsWorker, type TarsWorker, type TarsWorkerOptions } from './launcher-worker.js';
export { PushServant, pushServantName } from './push-servant.js';
export { PushProxy } from './generated/Push.js';
