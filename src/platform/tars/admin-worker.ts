/**
 * The worker side of AdminObj commands: each worker answers the launcher's control requests about itself (status,
 * log level) and runs the application's own admin commands. The launcher gathers the answers of all workers.
 */
import { describeChanges } from '../../config/live-settings.js';
import type { LogLevel } from '../../config/options.js';
import { setLogLevel } from '../../logger.js';
import type { ControlHandler } from '../../cluster/worker.js';
import type { Gateway } from '../../gateway/gateway.js';
import { reloadGatewayConfig } from '../config-reload.js';

/**
 * An application admin command, run by `notify("<name> <args>")` on AdminObj in every worker; its answer goes
 * back to the caller (tarsnode, the web console). Throw to report a failure.
 * @example
 *   const rooms: AdminCommand = async (_args, gateway) => (await gateway.store.rooms()).join(',');
 */
export type AdminCommand = (args: string, gateway: Gateway) => string | Promise<string>;

/** Application admin commands by name (the first word of the notify command). */
export type AdminCommands = Readonly<Record<string, AdminCommand>>;

/** Control request kinds between the launcher and its workers. */
export const AdminControl = {
  /** -> {@link WorkerStatus}. */
  status: 'tars.status',
  /** payload: pino level -> the level now in force. */
  logLevel: 'tars.loglevel',
  /** payload: the whole command -> the application command's answer; fails with UNKNOWN_COMMAND if none. */
  notify: 'tars.notify',
  /**
   * payload: a config file's absolute path -> what changed (describeChanges). An application command named
   * `tars.loadconfig` replaces the built-in and gets the path as its arguments.
   */
  loadConfig: 'tars.loadconfig',
} as const;

/** What a worker's status answer holds. */
export interface WorkerStatus {
  pid: number;
  connections: number;
  /** Rooms with members on this worker. */
  rooms: number;
  rssBytes: number;
  uptimeSec: number;
  logLevel: string;
}

/** The failure text of a command no handler knows (the launcher tells it apart from real failures). */
export const UNKNOWN_COMMAND = 'unknown command';

/** The control handlers a worker serves for AdminObj, given the application's commands. */
export function adminControlHandlers(
  gateway: Gateway,
  commands: AdminCommands = {},
): Map<string, ControlHandler> {
  return new Map<string, ControlHandler>([
    [AdminControl.status, () => workerStatus(gateway)],
    [
      AdminControl.logLevel,
      (level) => {
        setLogLevel(gateway.logger, String(level) as LogLevel);
        return gateway.logger.level;
      },
    ],
    [
      AdminControl.loadConfig,
      (payload) => {
        const file = String(payload);
        const own = Object.hasOwn(commands, 'tars.loadconfig') ? commands['tars.loadconfig'] : undefined;
        if (own) return own(file, gateway);
        return describeChanges(reloadGatewayConfig(gateway, file));
      },
    ],
    [
      AdminControl.notify,
      (payload) => {
        const command = String(payload).trim();
        const space = command.search(/\s/);
        const name = space < 0 ? command : command.slice(0, space);
        const handler = Object.hasOwn(commands, name) ? commands[name] : undefined;
        if (!handler) throw new Error(UNKNOWN_COMMAND);
        return handler(space < 0 ? '' : command.slice(space + 1).trim(), gateway);
      },
    ],
  ]);
}

function workerStatus(gateway: Gateway): WorkerStatus {
  const rooms = new Set<string>();
  for (const [room] of gateway.localMemberships()) rooms.add(room);
  return {
    pid: process.pid,
    connections: gateway.connectionCount,
    rooms: rooms.size,
    rssBytes: process.memoryUsage.rss(),
    uptimeSec: Math.round(process.uptime()),
    logLevel: gateway.logger.level,
  };
}
