/**
 * Starts a gateway node (test/support/gateway-node.ts) as a child process and talks to it: its URL and process
 * index once it listens, its CPU usage, and stopping it gracefully (SIGTERM) or killing it (SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { within } from './deadline.js';

/** Starts the readiness line, which is the marker and then JSON (pino's log lines go to stdout as well). */
export const READY_MARKER = 'tars-ws-node-ready ';

/** Readiness line printed on stdout. */
export interface NodeReady {
  url: string;
  processIndex: number;
  pid: number;
}

/** Reply to an IPC `{ type: 'cpu' }` request: `process.cpuUsage()` in microseconds, plus the gateway's stats. */
export interface NodeCpu {
  type: 'cpu';
  user: number;
  system: number;
  deliveries: number;
}

const ENTRY = fileURLToPath(new URL('./gateway-node.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** Environment of a node: config variables (ROOM_STORE, BROKER, REDIS_URL, ...), on top of quiet test defaults. */
export type NodeEnv = Record<string, string>;

export class GatewayNode {
  readonly url: string;
  readonly wsUrl: string;
  readonly processIndex: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #stderr: string[];

  private constructor(child: ChildProcess, ready: NodeReady, stderr: string[]) {
    this.#child = child;
    this.#stderr = stderr;
    this.url = ready.url;
    this.wsUrl = ready.url.replace(/^http/, 'ws') + '/';
    this.processIndex = ready.processIndex;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve({ code: child.exitCode, signal: child.signalCode });
      } else child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  /** Starts a node and resolves once it listens; rejects with its stderr if it exits or stays silent too long. */
  static async start(env: NodeEnv = {}): Promise<GatewayNode> {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        HEARTBEAT_INTERVAL_MS: '0',
        SHUTDOWN_GRACE_MS: '1000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<NodeReady>((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`gateway node ${why}: ${stderr.join('')}`));
      };
      const timer = setTimeout(() => fail('silent at start'), START_TIMEOUT_MS);
      child.once('exit', () => fail('exited at start'));
      // pino logs on stdout too: the readiness line is the one that carries the marker.
      lines.on('line', (line) => {
        if (!line.startsWith(READY_MARKER)) {
          stderr.push(`${line}\n`);
          return;
        }
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(JSON.parse(line.slice(READY_MARKER.length)) as NodeReady);
      });
    });
    return new GatewayNode(child, ready, stderr);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** What the node logged (stderr, and stdout's log lines), for failure messages. */
  get stderr(): string {
    return this.#stderr.join('');
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The node's CPU time so far (µs) and frames delivered; fails if it does not answer within 5 s. */
  cpu(): Promise<NodeCpu> {
    let onMessage: ((msg: NodeCpu) => void) | undefined;
    const answered = new Promise<NodeCpu>((resolve) => {
      onMessage = (msg: NodeCpu): void => {
        if (msg.type === 'cpu') resolve(msg);
      };
      this.#child.on('message', onMessage);
      this.#child.send({ type: 'cpu' });
    });
    return within(answered, 5000, `gateway node ${this.pid} answering a cpu request`).finally(() => {
      if (onMessage) this.#child.off('message', onMessage);
    });
  }

  /** SIGKILL: the node dies without any cleanup, like a crashed machine. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: graceful shutdown; falls back to SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
