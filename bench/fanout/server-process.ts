/**
 * The parent's handle on one server process: forks `server-main.ts` under tsx, waits for its URL, reads its CPU
 * time over IPC, and stops it. Every live process is tracked so {@link killAllServers} can end them on any exit.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isFromServer, type FromServer, type ToServer } from './ipc.js';
import type { ServerName } from './servers/index.js';

const ENTRY = fileURLToPath(new URL('./server-main.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const REPLY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;

const live = new Set<ChildProcess>();

/** Server CPU time in microseconds. */
export interface CpuTime {
  user: number;
  system: number;
}

export class ServerProcess {
  readonly target: ServerName;
  readonly url: string;
  readonly #child: ChildProcess;
  #nextId = 1;

  private constructor(target: ServerName, url: string, child: ChildProcess) {
    this.target = target;
    this.url = url;
    this.#child = child;
  }

  /**
   * Forks the server named `target` (servers/index.ts); with `profileDir`, the process writes there a V8 CPU profile
   * of the measured phase (from the first CPU reading to the second, see server-main.ts); `env` is added to the
   * process's environment.
   */
  static async start(
    target: ServerName,
    profileDir?: string,
    env: Record<string, string> = {},
  ): Promise<ServerProcess> {
    const execArgv = ['--import', 'tsx'];
    const args = profileDir === undefined ? [target] : [target, profileDir];
    const child = fork(ENTRY, args, {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    // A send to a process that just died fails; the exit is what callers see, through nextMessage or stop.
    child.on('error', () => undefined);
    try {
      const ready = await nextMessage(child, START_TIMEOUT_MS, (m) => m.type === 'ready');
      if (ready.type !== 'ready') throw new Error('unreachable');
      return new ServerProcess(target, ready.url, child);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** User and system CPU time the server process has used since it started. */
  async cpu(): Promise<CpuTime> {
    const id = this.#nextId++;
    this.#send({ type: 'cpu', id });
    const reply = await nextMessage(this.#child, REPLY_TIMEOUT_MS, (m) => m.type === 'cpu' && m.id === id);
    if (reply.type !== 'cpu') throw new Error('unreachable');
    return { user: reply.user, system: reply.system };
  }

  /** Asks the server to close and exit; kills it if it has not exited in time. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#send({ type: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS)),
    );
    if ((await Promise.race([exited, late])) === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  }

  #send(msg: ToServer): void {
    if (this.#child.connected) this.#child.send(msg, () => undefined);
  }
}

/** Kills every server process still running; safe to call from an `exit` handler (synchronous). */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function nextMessage(
  child: ChildProcess,
  timeoutMs: number,
  accept: (msg: FromServer) => boolean,
): Promise<FromServer> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (msg: unknown): void => {
      if (!isFromServer(msg)) return;
      if (msg.type === 'failed') {
        cleanup();
        reject(new Error(`server process failed: ${msg.message}`));
      } else if (accept(msg)) {
        cleanup();
        resolve(msg);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`server process exited (code ${code}, signal ${signal})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`server process did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
