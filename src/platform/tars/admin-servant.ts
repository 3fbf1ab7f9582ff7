/**
 * AdminObj (`tars.AdminF`), served by the launcher on `server.local`: how tarsnode stops the server and passes it
 * commands from the web console.
 */
import { AdminFServant } from './generated/AdminF.js';

/** What AdminObj acts on (the launcher). */
export interface AdminHost {
  /** Starts a clean stop of every process; the launcher exits when it is done. */
  shutdown(): void;
  /** Answers a command (never rejects: failures are the answer's text). */
  notify(command: string): Promise<string>;
}

/**
 * The names AdminObj answers to on `server.local`: tarsnode calls the bare `AdminObj` (TarsFramework's notify and
 * stop commands); the qualified `<App>.<Server>.AdminObj` is accepted too for tools that address it that way.
 */
export function adminServantNames(app: string, server: string): string[] {
  return ['AdminObj', `${app}.${server}.AdminObj`];
}

export class AdminServant extends AdminFServant {
  readonly #host: AdminHost;

  constructor(host: AdminHost) {
    super();
    this.#host = host;
  }

  /** Answers at once and stops afterwards, so tarsnode gets its reply before the connection goes away. */
  shutdown(): void {
    setImmediate(() => this.#host.shutdown());
  }

  notify(command: string): Promise<string> {
    return this.#host.notify(command);
  }

  getPid(): bigint {
    return BigInt(process.pid);
  }
}
