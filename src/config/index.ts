export {
  currentTarsConfig,
  loadConfig,
  parseFlags,
  resolveConfig,
  type LoadConfigInput,
  type ResolvedConfig,
} from './load.js';
export { defaultConfig, OPTIONS, type GatewayConfig, type LogLevel, type OptionSpec } from './options.js';
