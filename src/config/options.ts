/**
 * The gateway's configuration: every option in one table (key, default, env var, flag, validation), resolved once
 * at start as defaults < config file < environment < flags into a fully populated, frozen {@link GatewayConfig}.
 * The options in live-settings.ts (LIVE_KEYS) can take new values while the gateway runs (`tars.loadconfig`).
 */
import { ConfigError } from '../errors.js';
import {
  DEFAULT_CHANNEL_OPTIONS,
  parseChannelOptions,
  parseNamespaces,
  type ChannelOptions,
  type NamespaceOptions,
} from './channel-options.js';

/** Fully resolved configuration. Every field is present; see {@link OPTIONS} for defaults and sources. */
export interface GatewayConfig {
  /** Interface to listen on. Default `127.0.0.1`. Env `HOST`, flag `--host`. */
  host: string;
  /** TCP port for HTTP and WebSocket; 0 picks a free one. Default `8080`. Env `PORT`, flag `--port`. */
  port: number;
  /** Bearer token required by the push endpoints. Empty: push accepted from loopback callers only. Env `PUSH_TOKEN`. */
  pushToken: string;
  /**
   * Key of the server API (`POST /api/<method>`, Centrifugo's HTTP API), presented as `X-API-Key: KEY` or
   * `Authorization: apikey KEY`. Empty (default): same-machine callers only. Env `API_KEY`, flag `--api-key`.
   */
  apiKey: string;
  /** Serve `GET /metrics` (Prometheus) from `runGateway`: `on` or `off`. Default `on`. Env `METRICS`. */
  metrics: 'on' | 'off';
  /** Bearer token of `/metrics`. Empty: same-machine callers only. Env `METRICS_TOKEN`. */
  metricsToken: string;
  /**
   * Token every PushObj call must carry in its Tars context under `token`; refused with 401 otherwise. Empty
   * (default): none asked (the PushObj adapter's `allow` list can still restrict callers). Env `PUSH_OBJ_TOKEN`.
   */
  pushObjToken: string;
  /**
   * Origins whose pages may open WebSocket connections, comma-separated (`https://app.example.com,https://x.org`).
   * Always allowed: a page of the gateway's own origin, and clients that send no Origin (servers, CLIs, apps).
   * Empty (default): nothing else, so a page on another site cannot open sockets to an internal gateway. `*`
   * allows every origin (warned at start). Env `ALLOWED_ORIGINS`.
   */
  allowedOrigins: string;
  /** pino level: fatal, error, warn, info, debug, trace, silent. Default `info`. Env `LOG_LEVEL`. */
  logLevel: LogLevel;
  /** Default browser protocol for connections that do not ask for one: `text` (the original `cmd|payload`) or `json`. */
  defaultProtocol: 'text' | 'json';
  /** Where room memberships are recorded: `memory` (default), `file` or `redis`. Env `ROOM_STORE`. */
  roomStore: 'memory' | 'file' | 'redis';
  /**
   * Where channel histories live: `memory` (this machine; workers share the primary's), `redis` (every node), or
   * `auto` (default): `redis` when `roomStore` is `redis`, else `memory`. Env `HISTORY_ENGINE`. See {@link engineOf}.
   */
  historyEngine: 'auto' | 'memory' | 'redis';
  /** Where presence lives: `memory`, `redis` or `auto` (default, follows `roomStore` likewise). Env `PRESENCE_ENGINE`. */
  presenceEngine: 'auto' | 'memory' | 'redis';
  /**
   * How long a channel's stream position (epoch, top offset) outlives its last publish or read, so recovery works
   * across idle periods longer than the history TTL. Default 30 days (Centrifugo's `history_meta_ttl`).
   */
  historyMetaTtlMs: number;
  /** Most channels the memory history engine keeps; past it the least recently used is dropped. Default 100000. */
  historyMaxChannels: number;
  /** Directory of the file room store, created at start. Default `./data/rooms`. Env `ROOM_STORE_DIR`. */
  roomStoreDir: string;
  /** How pushes reach other processes: `local` (this process only, default), `redis` or `nats`. Env `BROKER`. */
  broker: 'local' | 'redis' | 'nats';
  /** Redis server for the redis store/broker, e.g. `redis://127.0.0.1:6379/0`. Env `REDIS_URL`. */
  redisUrl: string;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. Default `tars-ws:`. */
  redisKeyPrefix: string;
  /** NATS server(s) of the nats broker, e.g. `nats://127.0.0.1:4222`; comma-separated for a cluster. Env `NATS_URL`. */
  natsUrl: string;
  /** Prefix of the NATS subjects and KV bucket (dot-separated `[A-Za-z0-9_-]` tokens). Default `tars-ws`. */
  natsSubjectPrefix: string;
  /** A process that stopped refreshing its liveness for this long has its memberships removed. Default 15000 ms. */
  nodeTtlMs: number;
  /** Largest WebSocket frame accepted; bigger closes with 1009. Default 64 KiB. */
  maxFrameBytes: number;
  /** Unsent bytes allowed per connection before it is closed with 4008 (slow consumer). Default 1 MiB. */
  maxBufferedBytes: number;
  /** Largest HTTP request body accepted by controllers; bigger gets 413. Default 1 MiB. */
  maxHttpBodyBytes: number;
  /** Longest room name, in characters. Default 128. */
  maxRoomNameLength: number;
  /** Most rooms one connection may join. Default 100. */
  maxRoomsPerConnection: number;
  /** Longest pushed message, in characters. Default 64 KiB. */
  maxMessageLength: number;
  /**
   * Messages of one connection received but not yet handled before the gateway stops reading its socket (TCP
   * back-pressure slows the sender; reading resumes when half have been handled). Default 256.
   */
  maxPendingMessages: number;
  /**
   * Hard bound on messages of one connection awaiting handling, for frames that were already read when reading
   * paused; more closes it with 1008. Default 16384.
   */
  maxQueuedMessages: number;
  /** Most simultaneous WebSocket connections; more are refused with HTTP 503. Default 100000. */
  maxConnections: number;
  /**
   * Most simultaneous TCP connections that are not (yet) WebSockets: HTTP requests, keep-alive and idle sockets.
   * More are answered 503 and closed, so a flood of idle sockets cannot starve the WebSockets. Default 10000.
   */
  maxHttpConnections: number;
  /** Most simultaneous TCP connections (HTTP and WebSocket) from one client address, per process. Default 1000. */
  maxConnectionsPerAddress: number;
  /** Time for a client to send the request headers (an upgrade included); then 408 and close. Default 10000 ms. */
  headersTimeoutMs: number;
  /** Time for a client to send a whole request, body included; then 408 and close. Default 30000 ms. */
  requestTimeoutMs: number;
  /** Idle time after a response before a keep-alive connection is closed. Default 5000 ms. */
  keepAliveTimeoutMs: number;
  /** Worker processes sharing the port (node:cluster); 1 runs a single process. Default 1. Env `WORKERS`. */
  workers: number;
  /** Interval of server pings that detect dead peers (0 disables). Default 30000 ms. */
  heartbeatIntervalMs: number;
  /** Centrifugo protocol: HMAC secret of connection and subscription tokens (HS256/384/512). Default '' (none). */
  tokenHmacSecretKey: string;
  /** Centrifugo protocol: RSA public key (PEM) of RS256-512 / PS256-512 tokens. Default '' (none). */
  tokenRsaPublicKey: string;
  /** Centrifugo protocol: ECDSA public key (PEM) of ES256-512 tokens. Default '' (none). */
  tokenEcdsaPublicKey: string;
  /** Centrifugo protocol: URL of a JWKS whose keys verify tokens. Default '' (none). */
  tokenJwksUrl: string;
  /** Centrifugo protocol: when set, tokens must carry this `aud`, else they are invalid (3500). Default '' (not checked). */
  tokenAudience: string;
  /** Centrifugo protocol: when set, tokens must carry this `iss`, else they are invalid (3500). Default '' (not checked). */
  tokenIssuer: string;
  /** Centrifugo protocol: connections without a token: `auto` (accepted when no key is configured), `true`, `false`. Default auto. */
  allowAnonymousConnect: string;
  /** Centrifugo protocol: interval of the server's `{}` pings; a client that does not answer within it is closed with 3012. Default 25000 ms. */
  centrifugePingIntervalMs: number;
  /**
   * Centrifugo protocol: grace after a connection's (or a subscription's) expiry before it is closed with 3005 (or
   * unsubscribed with 2501) when not refreshed; Centrifugo's `expired_close_delay`. Default 25000 ms.
   */
  centrifugeExpiredCloseDelayMs: number;
  /**
   * Centrifugo protocol: most publications one `history` reply or one recovery returns; a client that missed more
   * is told `recovered: false` (Centrifugo's `client_recovery_max_publication_limit`). Default 300.
   */
  centrifugeMaxPublicationLimit: number;
  /** Centrifugo protocol: commands per second one connection may send (token bucket; more get 111). 0 = no limit. Default 100. */
  centrifugeCommandRate: number;
  /** Centrifugo protocol: commands one connection may send at once above the rate (the bucket's size). Default 200. */
  centrifugeCommandBurst: number;
  /** Centrifugo protocol: error replies per second a connection may cause (refill of its error bucket). Default 5. */
  centrifugeErrorRate: number;
  /** Centrifugo protocol: error replies in a burst before the connection is closed with 3509; 0 = never. Default 50. */
  centrifugeErrorBurst: number;
  /**
   * Centrifugo protocol: most messages (pushes and replies) joined into one WebSocket frame when a connection is
   * sent several in one event-loop turn (a burst); the first of a turn leaves at once. Fewer frames and socket
   * writes per message, as Centrifugo's writer (`max_messages_in_frame`) does; 1 = one message per frame. Default 16.
   */
  centrifugeMaxMessagesInFrame: number;
  /**
   * Centrifugo protocol: options of channels without a namespace (the rooms), as Centrifugo's `channel` options in
   * camelCase (`{"allowSubscribeForClient": true, ...}`); every allow false by default. JSON in env/flags.
   */
  channelDefaults: ChannelOptions;
  /** Centrifugo protocol: namespaces `[{"name": "chat", ...channel options}]`; `chat:x` channels use them. Default []. */
  namespaces: readonly NamespaceOptions[];
  /**
   * On SIGINT/SIGTERM (or a drain), time over which clients are closed with 1001, in batches, so they reconnect
   * to other nodes without a thundering herd; `/readyz` answers 503 from the start. 0 closes all at once.
   * Default 10000 ms.
   */
  drainMs: number;
  /** Time given to clients to close after the drain before they are cut. Default 5000 ms. */
  shutdownGraceMs: number;
  /** Log lines as JSON (`json`, default) or coloured text for a terminal (`pretty`, needs the pino-pretty package). */
  logFormat: 'json' | 'pretty';
  /** Password of the admin dashboard at `/admin/`; empty (default): no dashboard (404). Env `ADMIN_PASSWORD`. */
  adminPassword: string;
  /**
   * Key material of the admin session cookies. Empty (default): a random salt per machine (shared by its workers),
   * so sessions end with a restart and hold on this machine only; set it on every node behind one load balancer.
   */
  adminSecret: string;
  /** Lifetime of an admin session cookie. Default 28800000 ms (8 h). */
  adminSessionTtlMs: number;
  /**
   * Delay before the answer to a wrong admin password, doubled with every further failure from the same address
   * (up to 64 times), which is locked out for that long after five. Default 1000 ms.
   */
  adminLoginDelayMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** A value an option can take. */
export type OptionValue = string | number | ChannelOptions | readonly NamespaceOptions[];

type Kind =
  | { type: 'string' }
  /** A structured value: an object or array in a JSON file, its JSON text in env and flags. */
  | { type: 'json'; parse: (raw: unknown, key: string, source: string) => OptionValue }
  | { type: 'int'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] };

/** One configurable option: its default and where else it can come from. */
export interface OptionSpec {
  key: keyof GatewayConfig;
  kind: Kind;
  default: OptionValue;
  env: string;
  flag: string;
}

const KIB = 1024;
const MIB = 1024 * KIB;

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'host', kind: { type: 'string' }, default: '127.0.0.1', env: 'HOST', flag: 'host' },
  { key: 'port', kind: { type: 'int', min: 0, max: 65535 }, default: 8080, env: 'PORT', flag: 'port' },
  { key: 'pushToken', kind: { type: 'string' }, default: '', env: 'PUSH_TOKEN', flag: 'push-token' },
  { key: 'apiKey', kind: { type: 'string' }, default: '', env: 'API_KEY', flag: 'api-key' },
  {
    key: 'metrics',
    kind: { type: 'enum', values: ['on', 'off'] },
    default: 'on',
    env: 'METRICS',
    flag: 'metrics',
  },
  { key: 'metricsToken', kind: { type: 'string' }, default: '', env: 'METRICS_TOKEN', flag: 'metrics-token' },
  {
    key: 'pushObjToken',
    kind: { type: 'string' },
    default: '',
    env: 'PUSH_OBJ_TOKEN',
    flag: 'push-obj-token',
  },
  {
    key: 'allowedOrigins',
    kind: { type: 'string' },
    default: '',
    env: 'ALLOWED_ORIGINS',
    flag: 'allowed-origins',
  },
  {
    key: 'logLevel',
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    env: 'LOG_LEVEL',
    flag: 'log-level',
  },
  {
    key: 'defaultProtocol',
    kind: { type: 'enum', values: ['text', 'json'] },
    default: 'text',
    env: 'DEFAULT_PROTOCOL',
    flag: 'default-protocol',
  },
  {
    key: 'roomStore',
    kind: { type: 'enum', values: ['memory', 'file', 'redis'] },
    default: 'memory',
    env: 'ROOM_STORE',
    flag: 'room-store',
  },
  {
    key: 'historyEngine',
    kind: { type: 'enum', values: ['auto', 'memory', 'redis'] },
    default: 'auto',
    env: 'HISTORY_ENGINE',
    flag: 'history-engine',
  },
  {
    key: 'presenceEngine',
    kind: { type: 'enum', values: ['auto', 'memory', 'redis'] },
    default: 'auto',
    env: 'PRESENCE_ENGINE',
    flag: 'presence-engine',
  },
  int(
    'historyMetaTtlMs',
    30 * 24 * 3600 * 1000,
    1000,
    3650 * 24 * 3600 * 1000,
    'HISTORY_META_TTL_MS',
    'history-meta-ttl-ms',
  ),
  int('historyMaxChannels', 100_000, 1, 100_000_000, 'HISTORY_MAX_CHANNELS', 'history-max-channels'),
  {
    key: 'broker',
    kind: { type: 'enum', values: ['local', 'redis', 'nats'] },
    default: 'local',
    env: 'BROKER',
    flag: 'broker',
  },
  {
    key: 'redisUrl',
    kind: { type: 'string' },
    default: 'redis://127.0.0.1:6379',
    env: 'REDIS_URL',
    flag: 'redis-url',
  },
  {
    key: 'redisKeyPrefix',
    kind: { type: 'string' },
    default: 'tars-ws:',
    env: 'REDIS_KEY_PREFIX',
    flag: 'redis-key-prefix',
  },
  {
    key: 'natsUrl',
    kind: { type: 'string' },
    default: 'nats://127.0.0.1:4222',
    env: 'NATS_URL',
    flag: 'nats-url',
  },
  {
    key: 'natsSubjectPrefix',
    kind: { type: 'string' },
    default: 'tars-ws',
    env: 'NATS_SUBJECT_PREFIX',
    flag: 'nats-subject-prefix',
  },
  int('nodeTtlMs', 15_000, 1000, 3_600_000, 'NODE_TTL_MS', 'node-ttl-ms'),
  {
    key: 'roomStoreDir',
    kind: { type: 'string' },
    default: './data/rooms',
    env: 'ROOM_STORE_DIR',
    flag: 'room-store-dir',
  },
  int('maxFrameBytes', 64 * KIB, 16, 256 * MIB, 'MAX_FRAME_BYTES', 'max-frame-bytes'),
  int('maxBufferedBytes', MIB, KIB, 4096 * MIB, 'MAX_BUFFERED_BYTES', 'max-buffered-bytes'),
  int('maxHttpBodyBytes', MIB, 16, 256 * MIB, 'MAX_HTTP_BODY_BYTES', 'max-http-body-bytes'),
  int('maxRoomNameLength', 128, 1, 4096, 'MAX_ROOM_NAME_LENGTH', 'max-room-name-length'),
  int('maxRoomsPerConnection', 100, 1, 1_000_000, 'MAX_ROOMS_PER_CONNECTION', 'max-rooms-per-connection'),
  int('maxMessageLength', 64 * KIB, 1, 256 * MIB, 'MAX_MESSAGE_LENGTH', 'max-message-length'),
  int('maxPendingMessages', 256, 1, 1_000_000, 'MAX_PENDING_MESSAGES', 'max-pending-messages'),
  int('maxQueuedMessages', 16_384, 1, 10_000_000, 'MAX_QUEUED_MESSAGES', 'max-queued-messages'),
  int('maxConnections', 100_000, 1, 10_000_000, 'MAX_CONNECTIONS', 'max-connections'),
  int('maxHttpConnections', 10_000, 1, 10_000_000, 'MAX_HTTP_CONNECTIONS', 'max-http-connections'),
  int(
    'maxConnectionsPerAddress',
    1000,
    1,
    10_000_000,
    'MAX_CONNECTIONS_PER_ADDRESS',
    'max-connections-per-address',
  ),
  int('headersTimeoutMs', 10_000, 100, 600_000, 'HEADERS_TIMEOUT_MS', 'headers-timeout-ms'),
  int('requestTimeoutMs', 30_000, 100, 3_600_000, 'REQUEST_TIMEOUT_MS', 'request-timeout-ms'),
  int('keepAliveTimeoutMs', 5000, 100, 600_000, 'KEEP_ALIVE_TIMEOUT_MS', 'keep-alive-timeout-ms'),
  int('workers', 1, 1, 256, 'WORKERS', 'workers'),
  {
    key: 'tokenHmacSecretKey',
    kind: { type: 'string' },
    default: '',
    env: 'TOKEN_HMAC_SECRET_KEY',
    flag: 'token-hmac-secret-key',
  },
  {
    key: 'tokenRsaPublicKey',
    kind: { type: 'string' },
    default: '',
    env: 'TOKEN_RSA_PUBLIC_KEY',
    flag: 'token-rsa-public-key',
  },
  {
    key: 'tokenEcdsaPublicKey',
    kind: { type: 'string' },
    default: '',
    env: 'TOKEN_ECDSA_PUBLIC_KEY',
    flag: 'token-ecdsa-public-key',
  },
  {
    key: 'tokenJwksUrl',
    kind: { type: 'string' },
    default: '',
    env: 'TOKEN_JWKS_URL',
    flag: 'token-jwks-url',
  },
  {
    key: 'allowAnonymousConnect',
    kind: { type: 'enum', values: ['auto', 'true', 'false'] },
    default: 'auto',
    env: 'ALLOW_ANONYMOUS_CONNECT',
    flag: 'allow-anonymous-connect',
  },
  str('tokenAudience', ''),
  str('tokenIssuer', ''),
  num('centrifugeExpiredCloseDelayMs', 25_000, 0, 3_600_000),
  num('centrifugeMaxPublicationLimit', 300, 1, 100_000),
  num('centrifugeCommandRate', 100, 0, 1_000_000),
  num('centrifugeCommandBurst', 200, 1, 1_000_000),
  num('centrifugeErrorRate', 5, 0, 1_000_000),
  num('centrifugeErrorBurst', 50, 0, 1_000_000),
  num('centrifugeMaxMessagesInFrame', 16, 1, 1024),
  {
    key: 'channelDefaults',
    kind: { type: 'json', parse: parseChannelOptions },
    default: DEFAULT_CHANNEL_OPTIONS,
    env: 'CHANNEL_DEFAULTS',
    flag: 'channel-defaults',
  },
  {
    key: 'namespaces',
    kind: { type: 'json', parse: parseNamespaces },
    default: Object.freeze([]),
    env: 'NAMESPACES',
    flag: 'namespaces',
  },
  int(
    'centrifugePingIntervalMs',
    25_000,
    100,
    3_600_000,
    'CENTRIFUGE_PING_INTERVAL_MS',
    'centrifuge-ping-interval-ms',
  ),
  int('heartbeatIntervalMs', 30_000, 0, 3_600_000, 'HEARTBEAT_INTERVAL_MS', 'heartbeat-interval-ms'),
  int('drainMs', 10_000, 0, 3_600_000, 'DRAIN_MS', 'drain-ms'),
  int('shutdownGraceMs', 5000, 0, 600_000, 'SHUTDOWN_GRACE_MS', 'shutdown-grace-ms'),
  {
    key: 'logFormat',
    kind: { type: 'enum', values: ['json', 'pretty'] },
    default: 'json',
    env: 'LOG_FORMAT',
    flag: 'log-format',
  },
  {
    key: 'adminPassword',
    kind: { type: 'string' },
    default: '',
    env: 'ADMIN_PASSWORD',
    flag: 'admin-password',
  },
  { key: 'adminSecret', kind: { type: 'string' }, default: '', env: 'ADMIN_SECRET', flag: 'admin-secret' },
  int('adminSessionTtlMs', 28_800_000, 1000, 604_800_000, 'ADMIN_SESSION_TTL_MS', 'admin-session-ttl-ms'),
  int('adminLoginDelayMs', 1000, 0, 60_000, 'ADMIN_LOGIN_DELAY_MS', 'admin-login-delay-ms'),
];

function int(
  key: keyof GatewayConfig,
  def: number,
  min: number,
  max: number,
  env: string,
  flag: string,
): OptionSpec {
  return { key, kind: { type: 'int', min, max }, default: def, env, flag };
}

/** `centrifugeCommandRate` -> env `CENTRIFUGE_COMMAND_RATE`, flag `centrifuge-command-rate`: the table's naming rule. */
function named(key: keyof GatewayConfig): { env: string; flag: string } {
  const words = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return { env: words.replace(/-/g, '_').toUpperCase(), flag: words };
}

/** A string option whose env and flag names follow the key. */
function str(key: keyof GatewayConfig, def: string): OptionSpec {
  return { key, kind: { type: 'string' }, default: def, ...named(key) };
}

/** An integer option whose env and flag names follow the key. */
function num(key: keyof GatewayConfig, def: number, min: number, max: number): OptionSpec {
  return { key, kind: { type: 'int', min, max }, default: def, ...named(key) };
}

/** Parses and checks one raw value (from a file, env or flag) against its option's kind. */
export function coerceOption(spec: OptionSpec, raw: unknown, source: string): OptionValue {
  const where = `${spec.key} (from ${source})`;
  const { kind } = spec;
  if (kind.type === 'json') return kind.parse(raw, spec.key, source);
  if (kind.type === 'string') {
    if (typeof raw !== 'string')
      throw new ConfigError(where, `expected a string, got ${JSON.stringify(raw)}`);
    return raw;
  }
  if (kind.type === 'enum') {
    if (typeof raw !== 'string' || !kind.values.includes(raw)) {
      throw new ConfigError(where, `got ${JSON.stringify(raw)}; accepted values: ${kind.values.join(', ')}`);
    }
    return raw;
  }
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max) {
    throw new ConfigError(
      where,
      `got ${JSON.stringify(raw)}; expected an integer from ${kind.min} to ${kind.max}`,
    );
  }
  return n;
}

/**
 * The engine a config chooses for history or presence: `auto` follows the room store (`redis` with a Redis room
 * store, so a multi-node deployment shares history and presence as it shares rooms; `memory` otherwise).
 */
export function engineOf(
  config: Pick<GatewayConfig, 'roomStore' | 'historyEngine' | 'presenceEngine'>,
  key: 'historyEngine' | 'presenceEngine',
): 'memory' | 'redis' {
  const chosen = config[key];
  if (chosen !== 'auto') return chosen;
  return config.roomStore === 'redis' ? 'redis' : 'memory';
}

/** Every option at its default. */
export function defaultConfig(): GatewayConfig {
  const out: Record<string, OptionValue> = {};
  for (const spec of OPTIONS) out[spec.key] = spec.default;
  return out as unknown as GatewayConfig;
}
