/**
 * PushObj (`TarsWs.Push`, IDL in idl/Push.tars): Tars services push to browsers through the gateway without HTTP.
 * Sends take the gateway's send path (PushService) with a Tars caller, so the checks are the HTTP push API's and
 * every worker (or node) delivers; a refusal is a TarsRpcError whose code is the HTTP API's status for the error.
 */
import { ErrorCode, GatewayError } from '../../errors.js';
import type { GatewayApi } from '../../gateway/api.js';
import { PushCallers, type PushCaller } from '../../gateway/push.js';
import type { ConnId } from '../../types.js';
import { TarsRpcError } from '../../tars/rpc/errors.js';
import { PushServant as PushServantBase } from './generated/Push.js';

/** The servant name a server hosts PushObj under: `<App>.<Server>.PushObj`. */
export function pushServantName(app: string, server: string): string {
  return `${app}.${server}.PushObj`;
}

/**
 * Hosts the push API of one gateway.
 * @example
 *   new TarsServer({ endpoint: adapter.endpoint }).addServant('Demo.WsServer.PushObj', new PushServant(gateway), PushServant.operations);
 */
export class PushServant extends PushServantBase {
  readonly #gateway: GatewayApi;
  readonly #caller: PushCaller;

  /** @param servant the name this servant is hosted under (told to push policies as the caller). */
  constructor(gateway: GatewayApi, servant = 'PushObj') {
    super();
    this.#gateway = gateway;
    this.#caller = PushCallers.tars(servant);
  }

  pushToRoom(room: string, message: string): Promise<number> {
    return this.#run(async (g) => {
      await g.push.toRoom(this.#caller, room, message);
      return 0;
    });
  }

  pushToAll(message: string): Promise<number> {
    return this.#run(async (g) => {
      await g.push.toAll(this.#caller, message);
      return 0;
    });
  }

  pushToConnection(conn: bigint, message: string): Promise<number> {
    return this.#run(async (g) => {
      await g.push.toConnection(this.#caller, toConnId(conn), message);
      return 0;
    });
  }

  roomMembers(room: string): Promise<{ ret: number; members: bigint[] }> {
    return this.#run(async (g) => {
      const members = await g.members(g.checkRoom(room));
      return { ret: 0, members: members.map((m) => BigInt(m)) };
    });
  }

  roomCount(room: string): Promise<number> {
    return this.#run((g) => g.store.count(g.checkRoom(room)));
  }

  roomList(): Promise<{ ret: number; rooms: string[] }> {
    return this.#run(async (g) => ({ ret: 0, rooms: await g.store.rooms() }));
  }

  async #run<T>(op: (gateway: GatewayApi) => Promise<T>): Promise<T> {
    try {
      return await op(this.#gateway);
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
