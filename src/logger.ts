/** The process logger: pino, one JSON line per event. Components take a child logger with their name. */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { GatewayConfig, LogLevel } from './config/options.js';
import { ConfigError } from './errors.js';

export type { Logger };

/** The children created from each root logger, so a level change reaches all of them (pino's do not follow). */
const families = new WeakMap<Logger, Set<WeakRef<Logger>>>();

/** pino options that record every child (and grandchild) of the logger they create, for {@link setLogLevel}. */
export function trackedLogger(options: pino.LoggerOptions, stream?: pino.DestinationStream): Logger {
  const family = new Set<WeakRef<Logger>>();
  const logger = pino({ ...options, onChild: (child) => void family.add(new WeakRef(child)) }, stream);
  families.set(logger, family);
  return logger;
}

/**
 * The process logger: JSON lines, or with `format` `pretty` coloured lines for a terminal through pino-pretty (a
 * development dependency, loaded only then; a ConfigError naming `logFormat` when it is not installed).
 */
export function createLogger(
  level: LogLevel,
  name = 'tars-ws',
  format: GatewayConfig['logFormat'] = 'json',
): Logger {
  return trackedLogger({ name, level }, format === 'pretty' ? prettyStream() : undefined);
}

type PrettyFactory = (options: { sync: boolean; colorize: boolean }) => pino.DestinationStream;

function prettyStream(): pino.DestinationStream {
  let pretty: PrettyFactory;
  try {
    // Synchronously, so the first lines are not lost and no worker thread is started: pino-pretty is CommonJS.
    pretty = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  } catch {
    throw new ConfigError(
      'logFormat',
      '"pretty" needs the pino-pretty package (npm install --save-dev pino-pretty); use "json" in production',
    );
  }
  return pretty({ sync: true, colorize: process.stdout.isTTY === true });
}

/**
 * Sets the level of a logger and of every child made from it so far (component loggers of the HTTP layer, Redis,
 * NATS...), which pino would otherwise leave at the level they were born with.
 */
export function setLogLevel(logger: Logger, level: LogLevel | string): void {
  logger.level = level;
  const family = families.get(logger);
  if (!family) return;
  for (const ref of family) {
    const child = ref.deref();
    if (child) child.level = level;
    else family.delete(ref);
  }
}

/** Defaults of {@link LogLimiter}. */
const LIMIT_EVERY_MS = 10_000;
const LIMIT_MAX_KEYS = 10_000;

type Level = 'warn' | 'info' | 'debug' | 'error';

/**
 * Rate-limited log lines about one subject (a connection, a client address): the first line of an interval is
 * written, the rest are counted and reported as `suppressed` on the next line written for that subject and event.
 * A client cannot turn its traffic into log volume: a million bad frames cost one line per interval.
 * Tracks at most `maxKeys` subjects; past that the oldest interval is forgotten (so memory stays bounded).
 */
export class LogLimiter {
  readonly #log: Logger;
  readonly #everyMs: number;
  readonly #maxKeys: number;
  readonly #seen = new Map<string, { at: number; suppressed: number }>();
  readonly #now: () => number;

  /** @param now clock in ms (tests move it by hand); default `performance.now`. */
  constructor(
    log: Logger,
    everyMs = LIMIT_EVERY_MS,
    maxKeys = LIMIT_MAX_KEYS,
    now = () => performance.now(),
  ) {
    this.#log = log;
    this.#everyMs = everyMs;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  warn(subject: string | number, details: Record<string, unknown>, message: string): void {
    this.#write('warn', subject, details, message);
  }

  info(subject: string | number, details: Record<string, unknown>, message: string): void {
    this.#write('info', subject, details, message);
  }

  debug(subject: string | number, details: Record<string, unknown>, message: string): void {
    if (this.#log.isLevelEnabled('debug')) this.#write('debug', subject, details, message);
  }

  #write(level: Level, subject: string | number, details: Record<string, unknown>, message: string): void {
    if (!this.#log.isLevelEnabled(level)) return;
    const key = `${message}\u0000${subject}`;
    const now = this.#now();
    const seen = this.#seen.get(key);
    if (seen && now - seen.at < this.#everyMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    if (seen) this.#seen.delete(key);
    else if (this.#seen.size >= this.#maxKeys) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
    this.#seen.set(key, { at: now, suppressed: 0 });
    this.#log[level](
      suppressed > 0 ? { ...details, suppressed, intervalMs: this.#everyMs } : details,
      message,
    );
  }
}
