/**
 * Finds a NATS server with JetStream for tests: `TEST_NATS_URL`, else 127.0.0.1:4222 when it answers; otherwise
 * tests skip and say why. {@link SpawnedNats} starts a private `nats-server -js` (when the binary exists) for tests
 * that stop and restart the server. Each test gets its own subject prefix, and {@link removeBucket} deletes the KV
 * bucket it made, so tests never touch other data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { freePort } from './redis-server.js';

/** A NATS server tests may use, or the reason there is none. */
export type NatsAvailability = { url: string; skip?: undefined } | { url?: undefined; skip: string };

/** Resolves the server's INFO line (it greets every client with one), or undefined within 500 ms. */
function info(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (line: string | undefined): void => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(500, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('data', (data) => {
      const text = data.toString();
      done(text.startsWith('INFO ') ? text : undefined);
    });
    socket.connect(port, host);
  });
}

export function hasNatsServerBinary(): boolean {
  return spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

let shared: Promise<NatsAvailability> | undefined;

/** The NATS of this test run, found once. Use the result's `skip` as `describe(name, { skip })`. */
export function findNats(): Promise<NatsAvailability> {
  shared ??= (async (): Promise<NatsAvailability> => {
    const fromEnv = process.env['TEST_NATS_URL'];
    if (fromEnv) return { url: fromEnv };
    const greeting = await info(4222);
    if (!greeting) {
      return {
        skip: 'no NATS: nothing answers on 127.0.0.1:4222 (start nats-server -js or set TEST_NATS_URL)',
      };
    }
    if (!/"jetstream":\s*true/.test(greeting)) {
      return { skip: 'the NATS on 127.0.0.1:4222 has no JetStream (start it with -js)' };
    }
    return { url: 'nats://127.0.0.1:4222' };
  })();
  return shared;
}

/** A subject prefix no other run uses: `tarsws_test_<pid>_<random>_<name>`. */
export function uniqueSubjectPrefix(name: string): string {
  return `tarsws_test_${process.pid}_${randomBytes(4).toString('hex')}_${name}`;
}

/** Deletes the KV bucket of process claims under `prefix`, if there is one. */
export async function removeBucket(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`KV_${prefix.replace(/\./g, '_')}_processes`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** A nats-server with JetStream this test process started, which it can kill and start again on the same port. */
export class SpawnedNats {
  #child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<SpawnedNats> {
    const nats = new SpawnedNats(await freePort(), mkdtempSync(join(tmpdir(), 'tars-ws-nats-')));
    await nats.restart();
    return nats;
  }

  /** Starts the server again on the same port, with the same JetStream directory. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error('nats-server is running');
    const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir], {
      stdio: 'ignore',
    });
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    for (let i = 0; i < 100; i++) {
      if (await info(this.port)) return;
      if (this.#child !== child) throw new Error(`nats-server on port ${this.port} exited at start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nats-server on port ${this.port} did not answer`);
  }

  /** Kills the server at once (SIGKILL: clients see the connection drop). */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the server and removes its JetStream directory. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
