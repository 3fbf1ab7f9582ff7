/**
 * This process as the admin dashboard sees it: a snapshot sampled every second (connections by protocol, message
 * rates, CPU and memory) and the commands an operator may run on it (list and inspect connections, disconnect one,
 * drain the node). Backends publish the snapshot and route commands here (admin-cluster.ts).
 */
import { hostname } from 'node:os';
import { CloseCode, ErrorCode, GatewayError } from '../../errors.js';
import type { GatewayApi } from '../../gateway/api.js';
import type { Connection } from '../../gateway/connection.js';
import type {
  AdminCommand,
  AdminNodeSource,
  ConnectionDetail,
  ConnectionSummary,
  NodeSnapshot,
} from './admin-cluster.js';

/** What the admin node reads of its gateway: the application API, plus whether it drains. */
export interface AdminHost extends GatewayApi {
  readonly draining: boolean;
  /** Rooms with at least one member on this process. */
  readonly localRoomCount: number;
}

/** Longest page of a connection list. */
export const MAX_PAGE = 500;

export class AdminNode implements AdminNodeSource {
  readonly #host: AdminHost;
  readonly #drain: () => void;
  readonly #startedAt = Date.now();
  readonly #hostname = hostname();
  #timer: NodeJS.Timeout | undefined;
  #last: { at: number; messagesIn: number; deliveries: number; cpu: NodeJS.CpuUsage };
  #rates = { messagesInPerSec: 0, deliveriesPerSec: 0, cpuPercent: 0 };
  /**
   * Counted by the sampler, not per snapshot: every live view and the Redis publisher take a snapshot each second,
   * and one pass over 100k connections a second is enough.
   */
  #byProtocol: Record<string, number> = {};

  /** @param drain starts this node's drain (the same one SIGTERM runs); called once per drain command. */
  constructor(host: AdminHost, drain: () => void, sampleEveryMs = 1000) {
    this.#host = host;
    this.#drain = drain;
    this.#last = this.#reading();
    this.#countProtocols();
    this.#timer = setInterval(() => this.#sample(), sampleEveryMs);
    this.#timer.unref();
  }

  get processIndex(): number {
    return this.#host.processIndex;
  }

  snapshot(): NodeSnapshot {
    const mem = process.memoryUsage();
    return {
      node: this.#host.nodeId,
      processIndex: this.#host.processIndex,
      host: this.#hostname,
      pid: process.pid,
      startedAt: this.#startedAt,
      at: Date.now(),
      draining: this.#host.draining,
      connections: this.#host.connectionCount,
      byProtocol: this.#byProtocol,
      rooms: this.#host.localRoomCount,
      ...this.#rates,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
    };
  }

  async run(command: AdminCommand): Promise<unknown> {
    switch (command.op) {
      case 'connections': {
        const limit = Math.min(Math.max(1, command.limit), MAX_PAGE);
        const page: ConnectionSummary[] = [];
        let index = 0;
        for (const conn of this.#host.connections()) {
          if (index++ < command.offset) continue;
          if (page.length === limit) break;
          page.push(this.#summary(conn));
        }
        return {
          node: this.#host.nodeId,
          total: this.#host.connectionCount,
          offset: command.offset,
          connections: page,
        };
      }
      case 'connection':
        return this.#detail(this.#find(command.id));
      case 'disconnect':
        this.#find(command.id).close(CloseCode.ClosedByAdmin, 'closed by an operator');
        return { disconnected: command.id };
      case 'drain':
        if (!this.#host.draining) this.#drain();
        return { draining: this.#host.nodeId };
    }
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #find(id: number): Connection {
    const conn = this.#host.connection(id);
    if (!conn) throw new GatewayError(ErrorCode.NotFound, `no open connection ${id} on ${this.#host.nodeId}`);
    return conn;
  }

  #summary(conn: Connection): ConnectionSummary {
    return {
      id: conn.id,
      node: this.#host.nodeId,
      protocol: conn.protocol.name,
      address: conn.remoteAddress,
      user: conn.user,
      openedAt: conn.openedAt,
      rooms: conn.rooms.size,
      bufferedBytes: conn.bufferedAmount,
    };
  }

  #detail(conn: Connection): ConnectionDetail {
    const headers = conn.request.headers;
    return {
      ...this.#summary(conn),
      rooms: [...conn.rooms],
      origin: headers.origin ?? '',
      userAgent: headers['user-agent'] ?? '',
      path: (conn.request.url ?? '/').split('?', 1)[0] ?? '/',
      readingPaused: conn.readingPaused,
    };
  }

  #reading(): { at: number; messagesIn: number; deliveries: number; cpu: NodeJS.CpuUsage } {
    const { messagesIn, deliveries } = this.#host.stats;
    return { at: performance.now(), messagesIn, deliveries, cpu: process.cpuUsage() };
  }

  #sample(): void {
    const now = this.#reading();
    const seconds = Math.max(0.001, (now.at - this.#last.at) / 1000);
    const cpuMicros = now.cpu.user - this.#last.cpu.user + (now.cpu.system - this.#last.cpu.system);
    const round = (n: number): number => Math.round(n * 10) / 10;
    this.#rates = {
      messagesInPerSec: round((now.messagesIn - this.#last.messagesIn) / seconds),
      deliveriesPerSec: round((now.deliveries - this.#last.deliveries) / seconds),
      cpuPercent: round(cpuMicros / 10_000 / seconds),
    };
    this.#last = now;
    this.#countProtocols();
  }

  #countProtocols(): void {
    const byProtocol: Record<string, number> = {};
    for (const conn of this.#host.connections()) {
      byProtocol[conn.protocol.name] = (byProtocol[conn.protocol.name] ?? 0) + 1;
    }
    this.#byProtocol = byProtocol;
  }
}
