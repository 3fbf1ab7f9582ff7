/** The typed configuration: options, defaults and coercion. Loading it from files, env and flags is src/platform. */
export {
  coerceOption,
  defaultConfig,
  engineOf,
  OPTIONS,
  type GatewayConfig,
  type LogLevel,
  type OptionSpec,
  type OptionValue,
} from './options.js';
export {
  ChannelRules,
  channelRulesOf,
  DEFAULT_CHANNEL_OPTIONS,
  type ChannelOptions,
  type NamespaceOptions,
  type ResolvedChannel,
} from './channel-options.js';
export {
  describeChanges,
  formatChange,
  LIVE_KEYS,
  LiveSettings,
  type ConfigChange,
  type LiveKey,
} from './live-settings.js';
