/**
 * The admin dashboard across machines over Redis: every node writes its snapshot each second into one hash (field
 * = process index, the hash expiring a minute after the last write, a snapshot older than `staleAfterMs` counted
 * as a dead node and removed), and commands for a node travel over pub/sub to its own channel, the answer back to
 * the asker's, within `timeoutMs`.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, GatewayError } from '../errors.js';
import {
  parseAdminCommand,
  unknownNode,
  type AdminCluster,
  type AdminCommand,
  type AdminNodeSource,
  type NodeSnapshot,
} from '../http/admin/admin-cluster.js';
import type { ProcessIndex } from '../types.js';
import {
  closeRedis,
  connectRedis,
  isCluster,
  quietRedisLogger,
  type RedisClient,
  type RedisLogger,
} from './redis-client.js';

export interface RedisAdminClusterOptions {
  url: string;
  keyPrefix?: string;
  local: AdminNodeSource;
  logger?: RedisLogger;
  /** How often this node writes its snapshot. Default 1000 ms. */
  publishEveryMs?: number;
  /** A snapshot older than this is a node that is gone. Default 5000 ms. */
  staleAfterMs?: number;
  /** How long a command waits for the node's answer. Default 3000 ms. */
  timeoutMs?: number;
}

interface Request {
  id: string;
  from: ProcessIndex;
  command: AdminCommand;
}

type Reply =
  { id: string; ok: true; result: unknown } | { id: string; ok: false; code: string; message: string };

/** Commands awaiting an answer at once; more are refused (a dashboard issues a handful). */
const MAX_PENDING = 256;

export class RedisAdminCluster implements AdminCluster {
  readonly #client: RedisClient;
  readonly #sub: RedisClient;
  readonly #local: AdminNodeSource;
  readonly #prefix: string;
  readonly #log: RedisLogger;
  readonly #staleAfterMs: number;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, (reply: Reply) => void>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  private constructor(client: RedisClient, sub: RedisClient, options: RedisAdminClusterOptions) {
    this.#client = client;
    this.#sub = sub;
    this.#local = options.local;
    this.#prefix = options.keyPrefix ?? 'tars-ws:';
    this.#log = options.logger ?? quietRedisLogger;
    this.#staleAfterMs = options.staleAfterMs ?? 5000;
    this.#timeoutMs = options.timeoutMs ?? 3000;
    sub.on('message', (channel: string, text: string) => this.#message(channel, text));
    this.#timer = setInterval(() => void this.#publish(), options.publishEveryMs ?? 1000);
    this.#timer.unref();
  }

  /** Connects, subscribes to this node's channels and writes the first snapshot. */
  static async open(options: RedisAdminClusterOptions): Promise<RedisAdminCluster> {
    const prefix = options.keyPrefix ?? 'tars-ws:';
    const name = `${prefix}p${options.local.processIndex}:admin`;
    const common = { url: options.url, logger: options.logger ?? quietRedisLogger };
    const [client, sub] = await Promise.all([
      connectRedis({ ...common, name }),
      connectRedis({ ...common, name: `${name}-sub` }),
    ]);
    const cluster = new RedisAdminCluster(client, sub, options);
    try {
      await sub.subscribe(cluster.#commandChannel(options.local.processIndex), cluster.#replyChannel);
      await cluster.#publish();
      return cluster;
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  get #nodesKey(): string {
    return `${this.#prefix}admin:nodes`;
  }

  #commandChannel(target: ProcessIndex): string {
    return `${this.#prefix}admin:cmd:${target}`;
  }

  get #replyChannel(): string {
    return `${this.#prefix}admin:reply:${this.#local.processIndex}`;
  }

  /** Every live node's snapshot; this node's alone while Redis cannot be reached. */
  async nodes(): Promise<NodeSnapshot[]> {
    const own = this.#local.snapshot();
    // The client logs the outage itself (once); every live view asks each second, so say nothing more here.
    if (this.#client.status !== 'ready') return [own];
    let all: Record<string, string>;
    try {
      all = await this.#client.hgetall(this.#nodesKey);
    } catch (err) {
      // Redis is down: the dashboard still shows this node (and says so once in a while in the log).
      this.#log.warn({ err: (err as Error).message }, 'admin: could not read the node snapshots');
      return [own];
    }
    const now = Date.now();
    const nodes = new Map<number, NodeSnapshot>([[own.processIndex, own]]);
    const stale: string[] = [];
    for (const [field, text] of Object.entries(all)) {
      const snap = parseSnapshot(text);
      if (!snap || now - snap.at > this.#staleAfterMs) stale.push(field);
      else if (!nodes.has(snap.processIndex)) nodes.set(snap.processIndex, snap);
    }
    if (stale.length > 0) this.#client.hdel(this.#nodesKey, ...stale).catch(() => undefined);
    return [...nodes.values()].sort((a, b) => a.processIndex - b.processIndex);
  }

  run(target: ProcessIndex, command: AdminCommand): Promise<unknown> {
    if (target === this.#local.processIndex) return this.#local.run(command);
    if (this.#pending.size >= MAX_PENDING) {
      return Promise.reject(new GatewayError(ErrorCode.Unavailable, 'too many admin commands in flight'));
    }
    const request: Request = { id: randomUUID(), from: this.#local.processIndex, command };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(request.id);
        reject(unknownNode(target));
      }, this.#timeoutMs);
      this.#pending.set(request.id, (reply) => {
        clearTimeout(timer);
        this.#pending.delete(request.id);
        if (reply.ok) resolve(reply.result);
        else reject(new GatewayError(reply.code as ErrorCode, reply.message));
      });
      this.#client.publish(this.#commandChannel(target), JSON.stringify(request)).then(
        (receivers) => {
          // Nobody subscribed to that node's channel: it does not exist, no need to wait. (A cluster node counts
          // its own subscribers only, so there the timeout decides.)
          if (receivers === 0 && !isCluster(this.#client))
            this.#pending.get(request.id)?.({ id: request.id, ok: false, ...notFound(target) });
        },
        (err: unknown) => {
          this.#pending.get(request.id)?.({
            id: request.id,
            ok: false,
            code: ErrorCode.Upstream,
            message: `redis: ${(err as Error).message}`,
          });
        },
      );
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#client.hdel(this.#nodesKey, String(this.#local.processIndex)).catch(() => undefined);
    await Promise.all([closeRedis(this.#client), closeRedis(this.#sub)]);
  }

  async #publish(): Promise<void> {
    if (this.#closed || this.#client.status !== 'ready') return;
    try {
      await this.#client
        .multi()
        .hset(this.#nodesKey, String(this.#local.processIndex), JSON.stringify(this.#local.snapshot()))
        .pexpire(this.#nodesKey, 60_000)
        .exec();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'admin: could not publish the node snapshot');
    }
  }

  #message(channel: string, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (channel === this.#replyChannel) {
      const reply = parsed as Reply;
      if (typeof reply?.id === 'string') this.#pending.get(reply.id)?.(reply);
      return;
    }
    const request = parsed as Partial<Request>;
    const command = parseAdminCommand(request?.command);
    if (typeof request?.id !== 'string' || typeof request.from !== 'number' || !command) return;
    const answer = (reply: Reply): void => {
      this.#client
        .publish(`${this.#prefix}admin:reply:${request.from}`, JSON.stringify(reply))
        .catch(() => undefined);
    };
    const id = request.id;
    this.#local.run(command).then(
      (result) => answer({ id, ok: true, result }),
      (err: unknown) => {
        const e =
          err instanceof GatewayError ? err : new GatewayError(ErrorCode.Internal, 'admin command failed');
        answer({ id, ok: false, code: e.code, message: e.message });
      },
    );
  }
}

function notFound(target: ProcessIndex): { code: string; message: string } {
  const e = unknownNode(target);
  return { code: e.code, message: e.message };
}

function parseSnapshot(text: string): NodeSnapshot | undefined {
  try {
    const v = JSON.parse(text) as NodeSnapshot;
    return typeof v.processIndex === 'number' && typeof v.at === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}
