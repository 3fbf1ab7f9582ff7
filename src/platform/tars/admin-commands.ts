/**
 * What AdminObj's `notify(command)` answers in the launcher: the built-in Tars commands (tars.viewstatus,
 * tars.setloglevel, tars.connection, tars.loadconfig) and, for anything else, the application's commands run in
 * every worker. Answers are plain text, one line per worker, as the Tars web console shows them.
 */
import type { Logger } from 'pino';
import { setLogLevel } from '../../logger.js';
import type { ControlReply } from '../supervisor.js';
import { findConfigFile, followLogLevel, loadConfigPlaces } from './admin-loadconfig.js';
import { AdminControl, UNKNOWN_COMMAND, type WorkerStatus } from './admin-worker.js';
import { TARS_LOG_LEVELS, type TarsLogLevel, type TarsServerConfig } from './tars-conf.js';
import { pinoLevelOf } from './tars-conf-gateway.js';

/** The part of the Supervisor the commands use (tests can give a double). */
export interface WorkerControl {
  readonly workers: readonly { workerId: number; pid: number | undefined; restarts: number }[];
  control(kind: string, payload: unknown, timeoutMs?: number): Promise<ControlReply[]>;
}

export interface AdminNotifyOptions {
  tars: TarsServerConfig;
  supervisor: WorkerControl;
  /** The launcher's own logger; tars.setloglevel changes its level too. */
  logger: Logger;
  /** The app folder: the last place tars.loadconfig looks for a relative file name. Default the working folder. */
  appDir?: string;
}

const BUILT_IN = ['tars.viewstatus', 'tars.setloglevel LEVEL', 'tars.connection', 'tars.loadconfig FILE'];

/** Answers notify commands; never throws (a failure is the answer's text). */
export class AdminNotify {
  readonly #o: AdminNotifyOptions;
  readonly #startedAt = Date.now();

  constructor(options: AdminNotifyOptions) {
    this.#o = options;
  }

  async notify(command: string): Promise<string> {
    const text = command.trim();
    const [name = '', ...rest] = text.split(/\s+/);
    this.#o.logger.info({ command: text }, 'admin notify');
    try {
      switch (name.toLowerCase()) {
        case 'tars.viewstatus':
          return await this.#viewStatus();
        case 'tars.connection':
          return await this.#connections();
        case 'tars.setloglevel':
          return await this.#setLogLevel(rest[0] ?? '');
        case 'tars.loadconfig':
          return await this.#loadConfig(rest.join(' '));
        case 'tars.help':
          return `built-in commands: ${BUILT_IN.join(', ')}; other commands go to the application`;
        default:
          return await this.#relay(text, name);
      }
    } catch (err) {
      return `${name} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  async #statuses(): Promise<ControlReply[]> {
    return this.#o.supervisor.control(AdminControl.status, null);
  }

  async #viewStatus(): Promise<string> {
    const { tars } = this.#o;
    const replies = await this.#statuses();
    const restarts = new Map(this.#o.supervisor.workers.map((w) => [w.workerId, w.restarts]));
    const lines = [
      `server: ${tars.app}.${tars.server}`,
      `launcher pid: ${process.pid}, up ${Math.round((Date.now() - this.#startedAt) / 1000)} s`,
      `workers: ${replies.length}`,
      ...replies.map((r) => {
        if (!r.ok) return `worker ${r.workerId} pid ${r.pid ?? '-'}: ${String(r.value)}`;
        const s = r.value as WorkerStatus;
        return `worker ${r.workerId} pid ${s.pid}: connections ${s.connections}, rooms ${s.rooms}, rss ${Math.round(s.rssBytes / 1048576)} MiB, up ${s.uptimeSec} s, restarts ${restarts.get(r.workerId) ?? 0}, log level ${s.logLevel}`;
      }),
    ];
    return lines.join('\n');
  }

  async #connections(): Promise<string> {
    const replies = await this.#statuses();
    let total = 0;
    const lines = replies.map((r) => {
      if (!r.ok) return `worker ${r.workerId} pid ${r.pid ?? '-'}: ${String(r.value)}`;
      const n = (r.value as WorkerStatus).connections;
      total += n;
      return `worker ${r.workerId} pid ${r.pid ?? '-'}: ${n} connections`;
    });
    return [`connections: ${total}`, ...lines].join('\n');
  }

  async #setLogLevel(raw: string): Promise<string> {
    const level = raw.toUpperCase();
    if (!(TARS_LOG_LEVELS as readonly string[]).includes(level)) {
      return `tars.setloglevel: unknown level "${raw}"; use one of ${TARS_LOG_LEVELS.join(', ')}`;
    }
    const pino = pinoLevelOf(level as TarsLogLevel);
    setLogLevel(this.#o.logger, pino);
    const replies = await this.#o.supervisor.control(AdminControl.logLevel, pino);
    const failed = replies.filter((r) => !r.ok);
    return failed.length === 0
      ? `set log level [${level}] ok`
      : `set log level [${level}] failed on worker(s) ${failed.map((r) => r.workerId).join(', ')}`;
  }

  /** Every worker applies the file; the launcher follows a new Tars log level. One answer line per process. */
  async #loadConfig(name: string): Promise<string> {
    if (name === '') return 'tars.loadconfig: name the file, e.g. tars.loadconfig tars-ws.json';
    const places = loadConfigPlaces(this.#o.tars, this.#o.appDir ?? process.cwd());
    const found = findConfigFile(name, places);
    if ('missing' in found) return `tars.loadconfig: ${found.missing}; nothing changed`;
    const replies = await this.#o.supervisor.control(AdminControl.loadConfig, found.file);
    const own = followLogLevel(found.file, this.#o.logger);
    return [`tars.loadconfig ${found.file}`, ...(own ? [own] : []), ...perWorker(replies)].join('\n');
  }

  /** Application commands: every worker runs it; the answer lists each worker's. */
  async #relay(text: string, name: string): Promise<string> {
    const replies = await this.#o.supervisor.control(AdminControl.notify, text);
    if (replies.length > 0 && replies.every((r) => !r.ok && r.value === UNKNOWN_COMMAND)) {
      return `unknown command "${name}"; built-in commands: ${BUILT_IN.join(', ')}`;
    }
    return perWorker(replies).join('\n');
  }
}

/** `[worker 0 pid 100] answer` / `[worker 1 pid 101] error: why`. */
function perWorker(replies: readonly ControlReply[]): string[] {
  return replies.map(
    (r) =>
      `[worker ${r.workerId} pid ${r.pid ?? '-'}] ${r.ok ? String(r.value) : `error: ${String(r.value)}`}`,
  );
}
