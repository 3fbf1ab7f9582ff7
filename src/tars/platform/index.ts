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
