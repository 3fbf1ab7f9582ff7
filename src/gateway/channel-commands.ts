/**
 * The JSON protocol's history and presence commands (`history`, `presence`, `presence_stats`, and `subscribe` with
 * `since` to resume after a reconnect), on the channel state every protocol shares. Offered only to protocols that
 * answer JSON values: the text protocol's pages see none of it (docs/protocol.md).
 */
import { keepsHistory } from '../config/channel-options.js';
import { ErrorCode, GatewayError } from '../errors.js';
import type { ReadResult, StoredPublication, StreamPosition } from '../history/history-store.js';
import { recover } from '../protocol/centrifuge/recovery.js';
import type { RoomId } from '../types.js';
import type { Gateway } from './gateway.js';
import type { HandlerOptions, MessageContext } from './messages.js';

const RESULTS: HandlerOptions = { results: true };

/** A publication as JSON clients get it: the same `message` text and `offset` as its push. */
interface JsonPublication {
  offset: number;
  message: string;
}

function jsonPublication(p: StoredPublication): JsonPublication {
  return { offset: p.offset, message: p.data };
}

/** Registers `history`, `presence` and `presence_stats` for protocols with JSON replies. */
export function registerChannelCommands(gateway: Gateway): void {
  gateway.onMessage(
    'history',
    async (ctx) => {
      const q = ctx.object();
      const room = channelRoom(gateway, ctx, q, 'history');
      const query: { since?: StreamPosition; limit: number; reverse?: boolean } = {
        limit: historyLimit(gateway, q['limit']),
      };
      const since = position(q['since']);
      if (since !== undefined) query.since = since;
      if (q['reverse'] === true) query.reverse = true;
      else if (q['reverse'] !== undefined && q['reverse'] !== false)
        throw new GatewayError(ErrorCode.BadParam, 'history "reverse" must be true or false');
      const read = await gateway.readHistory(room, query);
      if (since !== undefined && since.epoch !== read.epoch)
        throw new GatewayError(
          ErrorCode.UnrecoverablePosition,
          `${room}: position of epoch ${since.epoch} is gone (the epoch is now ${read.epoch})`,
        );
      ctx.result({
        room,
        epoch: read.epoch,
        offset: read.offset,
        publications: read.publications.map(jsonPublication),
      });
    },
    RESULTS,
  );
  gateway.onMessage(
    'presence',
    async (ctx) => {
      const room = channelRoom(gateway, ctx, ctx.object(), 'presence');
      // User and client only: a Centrifugo subscriber's token info is for clients its namespace lets see it.
      const clients = Object.values(await gateway.presence(room)).map(({ user, client }) => ({
        user,
        client,
      }));
      ctx.result({ room, clients });
    },
    RESULTS,
  );
  gateway.onMessage(
    'presence_stats',
    async (ctx) => {
      const room = channelRoom(gateway, ctx, ctx.object(), 'presence');
      ctx.result({ room, ...(await gateway.presenceStats(room)) });
    },
    RESULTS,
  );
}

/**
 * `subscribe` with `{"room": ..., "since": {"offset", "epoch"}}` (JSON protocol): joins while the room's live pushes
 * to this connection are held, answers with what was missed after `since` (at most `centrifugeMaxPublicationLimit`)
 * and whether that is all of it (`recovered`), then lets the held pushes follow, none lost or repeated at the seam.
 * The history engine down: `recovered: false` with the client's own position, nothing invented.
 */
export async function subscribeSince(
  gateway: Gateway,
  ctx: MessageContext,
  room: RoomId,
  since: StreamPosition,
): Promise<void> {
  needs(gateway, room, 'history');
  const limit = gateway.config.centrifugeMaxPublicationLimit;
  gateway.holdPushes(ctx.conn, room);
  let after: StreamPosition | undefined;
  try {
    await gateway.join(ctx.conn, room);
    let read: ReadResult;
    try {
      read = await gateway.readHistory(room, { since, limit: limit + 1 });
    } catch {
      after = since;
      ctx.result({ room, recovered: false, epoch: since.epoch, offset: since.offset, publications: [] });
      return;
    }
    const r = recover(since, read, limit);
    after = { offset: r.after, epoch: read.epoch };
    ctx.result({
      room,
      recovered: r.recovered,
      epoch: read.epoch,
      offset: read.offset,
      publications: read.publications.slice(0, r.publications.length).map(jsonPublication),
    });
  } finally {
    gateway.releasePushes(ctx.conn, room, after);
  }
}

/** A history position as a client sends it; undefined when absent; BAD_PARAM when malformed. */
export function position(raw: unknown): StreamPosition | undefined {
  if (raw === undefined) return undefined;
  const p = raw as Record<string, unknown> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p['epoch'] !== 'string' ||
    !Number.isSafeInteger(p['offset']) ||
    (p['offset'] as number) < 0
  )
    throw new GatewayError(
      ErrorCode.BadParam,
      '"since" must be {"offset": <integer >= 0>, "epoch": <string>}',
    );
  return { offset: p['offset'] as number, epoch: p['epoch'] };
}

/** `limit`: absent means as many as allowed, 0 the position only; capped at `centrifugeMaxPublicationLimit`. */
function historyLimit(gateway: Gateway, raw: unknown): number {
  const max = gateway.config.centrifugeMaxPublicationLimit;
  if (raw === undefined) return max;
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw) || raw < 0)
    throw new GatewayError(ErrorCode.BadParam, 'history "limit" must be an integer >= 0');
  return Math.min(raw, max);
}

/** The `room` of a history or presence command: one a JSON client may use, and that keeps `what`. */
function channelRoom(
  gateway: Gateway,
  ctx: MessageContext,
  q: Record<string, unknown>,
  what: 'history' | 'presence',
): RoomId {
  const room = gateway.checkClientRoom(ctx.field(q, 'room'));
  needs(gateway, room, what);
  return room;
}

function needs(gateway: Gateway, room: RoomId, what: 'history' | 'presence'): void {
  const options = gateway.channelOptions(room);
  const kept = options !== undefined && (what === 'history' ? keepsHistory(options) : options.presence);
  if (!kept)
    throw new GatewayError(
      ErrorCode.NotAvailable,
      `room ${room} keeps no ${what} (see channelDefaults ${what === 'history' ? 'historySize, historyTtlMs' : 'presence'})`,
    );
}
