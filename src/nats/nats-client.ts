/**
 * Opens the NATS connection of the NATS broker: checks the URL and subject prefix at start, retries the first
 * connection for a bounded time (so a gateway does not start half-configured), then lets nats.js reconnect for
 * ever. It also tracks whether the connection is up, because nats.js queues publishes made while disconnected and
 * throws them away at the next reconnection attempt: the broker asks {@link NatsLink.connected} and fails fast.
 */
import { connect, Events, type ConnectionOptions, type NatsConnection } from 'nats';
import { ConfigError } from '../errors.js';

/** The logging the NATS backend needs: pino's `(details, message)` shape, so a pino logger fits as is. */
export interface NatsLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** Logger for a broker created without one: one line on stderr per warning, info dropped. */
export const quietNatsLogger: NatsLogger = {
  info() {},
  warn(details, message) {
    console.warn(`[nats] ${message} ${JSON.stringify(details)}`);
  },
};

/** How long {@link NatsLink.connect} keeps trying the first connection before giving up the start. */
export const START_TIMEOUT_MS = 10_000;
/** Wait between reconnection attempts once started (nats.js adds up to 100 ms of jitter). */
export const RECONNECT_WAIT_MS = 500;

/**
 * The servers of `natsUrl`: one `nats://[user:password@]host[:port]` (`tls://` for TLS), or several separated by
 * commas (seeds of a NATS cluster). Throws a ConfigError naming `key` otherwise.
 */
export function parseNatsUrls(value: string, key = 'natsUrl'): string[] {
  const urls = value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) throw new ConfigError(key, 'empty; expected nats://host:port');
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError(key, `not a URL: ${JSON.stringify(url)}; expected nats://host:port`);
    }
    if (parsed.protocol !== 'nats:' && parsed.protocol !== 'tls:') {
      throw new ConfigError(key, `scheme must be nats: or tls:, got ${JSON.stringify(parsed.protocol)}`);
    }
    if (parsed.hostname === '') throw new ConfigError(key, `no host in ${JSON.stringify(url)}`);
    if (parsed.pathname !== '' && parsed.pathname !== '/') {
      throw new ConfigError(key, `no path expected in ${JSON.stringify(url)}`);
    }
  }
  return urls;
}

/**
 * Checks a subject prefix: dot-separated tokens of letters, digits, `-` and `_` (`tars-ws`, `prod.chat`). NATS
 * reserves `*` and `>` for wildcards, and the prefix also names the JetStream KV bucket, which allows no more.
 */
export function checkSubjectPrefix(prefix: string, key = 'natsSubjectPrefix'): string {
  if (!/^[\w-]+(\.[\w-]+)*$/.test(prefix)) {
    throw new ConfigError(
      key,
      `got ${JSON.stringify(prefix)}; expected dot-separated tokens of letters, digits, - and _`,
    );
  }
  return prefix;
}

/** Every subject and bucket name of the NATS backend, under the deployment's prefix. */
export class NatsSubjects {
  constructor(readonly prefix: string) {
    checkSubjectPrefix(prefix);
  }
  /** Room sends and broadcasts: every process listens. */
  get fanout(): string {
    return `${this.prefix}.fanout`;
  }
  /** Sends to one connection, heard by the process that holds it only. */
  process(index: number): string {
    return `${this.prefix}.proc.${index}`;
  }
  /** JetStream KV bucket of the process index claims (bucket names allow no dots). */
  get processBucket(): string {
    return `${this.prefix.replace(/\./g, '_')}_processes`;
  }
}

/**
 * The nats.js options a `natsUrl` stands for. nats.js ignores the scheme and any credentials of a server URL, so
 * they are turned into options here: `user:password@` into `user`/`pass`, a lone `token@` into `token` (taken from
 * the first URL that has some), and a `tls:` scheme into `tls: {}` (TLS required).
 */
export function natsUrlOptions(value: string, key = 'natsUrl'): Partial<ConnectionOptions> {
  const urls = parseNatsUrls(value, key).map((u) => new URL(u));
  const options: Partial<ConnectionOptions> = { servers: urls.map((u) => u.host) };
  const withAuth = urls.find((u) => u.username !== '');
  if (withAuth && withAuth.password !== '') {
    options.user = decodeURIComponent(withAuth.username);
    options.pass = decodeURIComponent(withAuth.password);
  } else if (withAuth) {
    options.token = decodeURIComponent(withAuth.username);
  }
  if (urls.some((u) => u.protocol === 'tls:')) options.tls = {};
  return options;
}

/** The URL without its credentials (a user, password or token), for logs. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** One NATS connection and whether it is up now. */
export class NatsLink {
  #connected = true;
  #errors = 0;

  private constructor(
    readonly nc: NatsConnection,
    readonly logger: NatsLogger,
    readonly servers: string,
  ) {
    void this.#watch();
  }

  /**
   * Connects, retrying for up to {@link START_TIMEOUT_MS}; rejects with the last error after that. The connection
   * never echoes our own publishes back (`noEcho`) and reconnects by itself for ever.
   */
  static async connect(options: {
    url: string;
    name: string;
    logger?: NatsLogger;
    nats?: Partial<ConnectionOptions>;
  }): Promise<NatsLink> {
    const fromUrl = natsUrlOptions(options.url);
    const logger = options.logger ?? quietNatsLogger;
    const shown = parseNatsUrls(options.url).map(redact).join(',');
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        const nc = await connect({
          ...fromUrl,
          name: options.name,
          noEcho: true,
          timeout: 2000,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: RECONNECT_WAIT_MS,
          pingInterval: 10_000,
          ...options.nats,
        });
        return new NatsLink(nc, logger, shown);
      } catch (err) {
        const wait = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
        if (Date.now() + wait > deadline) {
          throw new Error(
            `nats at ${shown} unreachable for ${START_TIMEOUT_MS} ms: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** False between a lost connection and the reconnection (publishes then would be dropped silently). */
  get connected(): boolean {
    return this.#connected && !this.nc.isClosed();
  }

  /** Sends what is buffered when connected, then closes. Never rejects. */
  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    if (this.connected) await this.nc.flush().catch(() => undefined);
    await this.nc.close().catch(() => undefined);
  }

  /** Logs "lost" once per outage and "back" when it ends, with the number of errors in between. */
  async #watch(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) {
        if (this.#connected) {
          this.logger.warn({ nats: this.servers }, 'nats connection lost, reconnecting');
        }
        this.#connected = false;
      } else if (status.type === Events.Reconnect) {
        this.#connected = true;
        this.logger.info({ nats: this.servers, errors: this.#errors }, 'nats connection back');
        this.#errors = 0;
      } else if (status.type === Events.Error) {
        this.#errors++;
      }
    }
  }
}
