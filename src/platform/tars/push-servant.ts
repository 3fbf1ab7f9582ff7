/**
 * PushObj (`TarsWs.Push`, IDL in idl/Push.tars): Tars services push to browsers through the gateway without HTTP.
 * Every call first passes the PushObj rule (push-access.ts: the adapter's allow list, `pushObjToken`); sends then
 * take the gateway's send path (PushService) with a Tars caller (servant, context, address), so the checks are the
 * HTTP push API's and every worker (or node) delivers. A refusal is a TarsRpcError whose code is the HTTP API's
 * status for the error.
 */
import { ErrorCode, GatewayError } from '../../errors.js';
import type { GatewayApi } from '../../gateway/api.js';
import { PushCallers, type PushCaller } from '../../gateway/push.js';
import type { ConnId } from '../../types.js';
import type { ServantCallContext } from '../../tars/contract.js';
import { TarsRpcError } from '../../tars/rpc/errors.js';
import { PushServant as PushServantBase } from './generated/Push.js';
import { checkPushObjCaller } from './push-access.js';

/** Options of {@link PushServant}. */
export interface PushServantOptions {
  /** The name this servant is hosted under (told to push policies as the caller). Default `PushObj`. */
  servant?: string;
  /** Caller addresses allowed (the adapter's `allow`, see parseAllowList). Default: every address. */
  allow?: readonly string[];
}

/** The servant name a server hosts PushObj under: `<App>.<Server>.PushObj`. */
export function pushServantName(app: string, server: string): string {
  return `${app}.${server}.PushObj`;
}

/**
 * Hosts the push API of one gateway.
 * @example
 *   new TarsServer({ endpoint: adapter.endpoint }).addServant('Demo.WsServer.PushObj', new PushServant(gateway, { allow: adapter.allow }), PushServant.operations);
 */
export class PushServant extends PushServantBase {
  readonly #gateway: GatewayApi;
  readonly #servant: string;
  readonly #allow: readonly string[];

  constructor(gateway: GatewayApi, options: PushServantOptions = {}) {
    super();
    this.#gateway = gateway;
    this.#servant = options.servant ?? 'PushObj';
    this.#allow = options.allow ?? [];
  }

  pushToRoom(room: string, message: string, ctx: ServantCallContext): Promise<number> {
    return this.#run(ctx, async (g, caller) => {
      await g.push.toRoom(caller, room, message);
      return 0;
    });
  }

  pushToAll(message: string, ctx: ServantCallContext): Promise<number> {
    return this.#run(ctx, async (g, caller) => {
      await g.push.toAll(caller, message);
      return 0;
    });
  }

  pushToConnection(conn: bigint, message: string, ctx: ServantCallContext): Promise<number> {
    return this.#run(ctx, async (g, caller) => {
      await g.push.toConnection(caller, toConnId(conn), message);
      return 0;
    });
  }

  roomMembers(room: string, ctx: ServantCallContext): Promise<{ ret: number; members: bigint[] }> {
    return this.#run(ctx, async (g) => {
      const members = await g.members(g.checkRoom(room));
      return { ret: 0, members: members.map((m) => BigInt(m)) };
    });
  }

  roomCount(room: string, ctx: ServantCallContext): Promise<number> {
    return this.#run(ctx, (g) => g.store.count(g.checkRoom(room)));
  }

  roomList(ctx: ServantCallContext): Promise<{ ret: number; rooms: string[] }> {
    return this.#run(ctx, async (g) => ({ ret: 0, rooms: await g.store.rooms() }));
  }

  async #run<T>(
    ctx: ServantCallContext,
    op: (gateway: GatewayApi, caller: PushCaller) => Promise<T>,
  ): Promise<T> {
    try {
      // pushObjToken is read per call: tars.loadconfig may change it.
      checkPushObjCaller(ctx, { allow: this.#allow, token: this.#gateway.config.pushObjToken });
      return await op(this.#gateway, PushCallers.tars(this.#servant, ctx.context, ctx.remoteAddress));
    } catch (err) {
      throw toPushError(err);
    }
  }
}

/** Connection ids are JS numbers below 2^53 (see connIdBase); `long` arrives as a bigint. */
function toConnId(conn: bigint): ConnId {
  if (conn <= 0n || conn > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new GatewayError(ErrorCode.BadParam, `connection id ${conn} is not a tars-ws connection id`);
  }
  return Number(conn);
}

/** A refusal as its caller sees it: iRet = the HTTP push API's status, sResultDesc = `CODE: why`. */
function toPushError(err: unknown): TarsRpcError {
  if (err instanceof TarsRpcError) return err;
  if (err instanceof GatewayError) return new TarsRpcError(err.status, `${err.code}: ${err.message}`);
  const why = err instanceof Error ? err.message : String(err);
  return new TarsRpcError(500, `${ErrorCode.Internal}: ${why}`, { cause: err });
}
