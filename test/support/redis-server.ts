/**
 * Finds a Redis for tests: 127.0.0.1:6379 when it answers PING, otherwise a `redis-server` spawned on a free port
 * (when the binary exists); otherwise tests skip and say why. Each test run gets its own key prefix, and
 * {@link wipePrefix} removes exactly those keys, so tests never touch other data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** A Redis server tests may use, or the reason there is none. */
export type RedisAvailability = { url: string; skip?: undefined } | { url?: undefined; skip: string };

/** Sends one PING and resolves true on `+PONG` within 500 ms. */
export function ping(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

export { freePort };

export function hasRedisServerBinary(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A redis-server this test process started (no persistence), which it can stop, kill and start again. */
export class SpawnedRedis {
  #child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly extraArgs: readonly string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server on a free port (or the given one) and resolves once it answers PING. */
  static async start(port?: number, extraArgs: readonly string[] = []): Promise<SpawnedRedis> {
    const redis = new SpawnedRedis(port ?? (await freePort()), extraArgs);
    await redis.restart();
    return redis;
  }

  /** Starts the server again on the same port (empty: nothing is saved). */
  async restart(): Promise<void> {
    if (this.#child) throw new Error('redis-server is running');
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
    });
    for (let i = 0; i < 100; i++) {
      if (await ping(this.port)) return;
      if (this.#child !== child) throw new Error(`redis-server on port ${this.port} exited at start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not answer PING`);
  }

  /** Kills the server at once (SIGKILL: clients see the connection drop, nothing is flushed). */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /** CPU seconds (user + system) the server has used, from INFO cpu. */
  static async cpuSeconds(url: string): Promise<number> {
    const client = new Redis(url, { lazyConnect: true });
    await client.connect();
    try {
      const info = await client.info('cpu');
      const value = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return value('used_cpu_sys') + value('used_cpu_user');
    } finally {
      client.disconnect();
    }
  }
}

let shared: Promise<RedisAvailability> | undefined;
let spawned: SpawnedRedis | undefined;

/**
 * The Redis of this test run, found once: the machine's 6379, else one spawned for the run (killed at exit).
 * Use the result's `skip` as `describe(name, { skip })`.
 */
export function findRedis(): Promise<RedisAvailability> {
  shared ??= (async (): Promise<RedisAvailability> => {
    const fromEnv = process.env.TEST_REDIS_URL;
    if (fromEnv) return { url: fromEnv };
    if (await ping(6379)) return { url: 'redis://127.0.0.1:6379' };
    if (!hasRedisServerBinary()) {
      return {
        skip: 'no Redis: nothing answers on 127.0.0.1:6379 and no redis-server binary to start one (install redis-server or set TEST_REDIS_URL)',
      };
    }
    spawned = await SpawnedRedis.start();
    process.once('exit', () => void spawned?.kill());
    return { url: spawned.url };
  })();
  return shared;
}

/** Stops the redis-server {@link findRedis} may have started (call from a top-level `after`). */
export async function stopSharedRedis(): Promise<void> {
  await spawned?.kill();
}

/** A key prefix no other run uses: `tars-ws-test:<pid>-<random>:<name>:`. */
export function uniquePrefix(name: string): string {
  return `tars-ws-test:${process.pid}-${randomBytes(4).toString('hex')}:${name}:`;
}

/** Deletes every key under prefix (SCAN, so it never blocks Redis). */
export async function wipePrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis Cluster of `size` masters this test process started (each a redis-server on a free port, no
 * persistence, its cluster state in a temporary directory), joined with `redis-cli --cluster create`.
 */
export class SpawnedRedisCluster {
  private constructor(
    readonly nodes: SpawnedRedis[],
    readonly dir: string,
  ) {}

  /** URL of the first node: clients detect the cluster from it. */
  get url(): string {
    return this.nodes[0]!.url;
  }

  /** Why a cluster cannot be started here, or undefined when it can. */
  static unavailable(): string | undefined {
    if (!hasRedisServerBinary()) return 'no redis-server binary to start a cluster';
    if (spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status !== 0) {
      return 'no redis-cli binary to create a cluster';
    }
    return undefined;
  }

  static async start(size = 3): Promise<SpawnedRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'tars-ws-redis-cluster-'));
    const nodes: SpawnedRedis[] = [];
    try {
      for (let i = 0; i < size; i++) {
        nodes.push(
          await SpawnedRedis.start(undefined, [
            '--cluster-enabled',
            'yes',
            '--dir',
            dir,
            '--cluster-config-file',
            `nodes-${i}.conf`,
          ]),
        );
      }
      const create = spawnSync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map((n) => `127.0.0.1:${n.port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      if (create.status !== 0)
        throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
      const cluster = new SpawnedRedisCluster(nodes, dir);
      await cluster.#waitForOk();
      return cluster;
    } catch (err) {
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async #waitForOk(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const states = await Promise.all(
        this.nodes.map(async (n) => {
          const client = new Redis(n.url, { lazyConnect: true });
          await client.connect();
          try {
            return /cluster_state:ok/.test(await client.cluster('INFO'));
          } finally {
            client.disconnect();
          }
        }),
      );
      if (states.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis cluster did not reach cluster_state:ok');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
