/**
 * The admin dashboard's view of the workers of one machine (local broker, no Redis): a worker asks its primary,
 * which asks every worker (control requests) for its snapshot, or hands a command to all and returns the answer of
 * the one it names. The primary's side is `serveClusterAdmin` in src/platform/admin.ts.
 */
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
import { askPrimary, type ControlHandler } from './worker.js';

/** Ask kinds (worker -> primary) and control kinds (primary -> workers) of the admin view. */
export const ADMIN_NODES = 'tars-ws.admin.nodes';
export const ADMIN_RUN = 'tars-ws.admin.run';
export const ADMIN_SNAPSHOT = 'tars-ws.admin.snapshot';

/** A worker's answer to a command: `handled` false when the command named another worker. */
export type AdminRunReply =
  | { handled: false }
  | { handled: true; ok: true; result: unknown }
  | { handled: true; ok: false; code: string; message: string };

export class IpcAdminCluster implements AdminCluster {
  readonly #local: AdminNodeSource;
  /** The control handlers this worker must serve (passed to `serveControl` with the others). */
  readonly handlers: ReadonlyMap<string, ControlHandler>;

  constructor(local: AdminNodeSource) {
    this.#local = local;
    this.handlers = new Map<string, ControlHandler>([
      [ADMIN_SNAPSHOT, () => local.snapshot()],
      [ADMIN_RUN, (payload) => this.#answer(payload)],
    ]);
  }

  /** Every worker's snapshot; this worker's alone when the primary does not answer (it is restarting it). */
  async nodes(): Promise<NodeSnapshot[]> {
    try {
      const nodes = (await askPrimary(ADMIN_NODES, undefined)) as NodeSnapshot[];
      return nodes.sort((a, b) => a.processIndex - b.processIndex);
    } catch {
      return [this.#local.snapshot()];
    }
  }

  async run(target: ProcessIndex, command: AdminCommand): Promise<unknown> {
    if (target === this.#local.processIndex) return this.#local.run(command);
    // A primary that does not route admin commands (or does not answer) knows no other node.
    const reply = (await askPrimary(ADMIN_RUN, { target, command }).catch(() => undefined)) as
      AdminRunReply | undefined;
    if (!reply?.handled) throw unknownNode(target);
    if (reply.ok) return reply.result;
    throw new GatewayError(reply.code as ErrorCode, reply.message);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #answer(payload: unknown): Promise<AdminRunReply> {
    const p = payload as { target?: unknown; command?: unknown } | undefined;
    const command = parseAdminCommand(p?.command);
    if (p?.target !== this.#local.processIndex || !command) return { handled: false };
    try {
      return { handled: true, ok: true, result: await this.#local.run(command) };
    } catch (err) {
      const e =
        err instanceof GatewayError ? err : new GatewayError(ErrorCode.Internal, 'admin command failed');
      return { handled: true, ok: false, code: e.code, message: e.message };
    }
  }
}
