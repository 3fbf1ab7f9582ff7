export { loadConfig, parseFlags, type LoadConfigInput } from './load.js';
export { defaultConfig, OPTIONS, type GatewayConfig, type LogLevel, type OptionSpec } from './options.js';
