/**
 * The original example's commands, reply texts byte for byte (see shared/spec/tarsphp-compat.md):
 * ping, subscribe, unsubscribe, sendByRoom, broadcast, and the reply to anything else; for the JSON protocol also
 * history, presence, presence_stats and subscribe with `since` (channel-commands.ts).
 */
import { position, registerChannelCommands, subscribeSince } from './channel-commands.js';
import type { Gateway } from './gateway.js';
import type { MessageContext } from './messages.js';

export const UNKNOWN_COMMAND_REPLY = 'Rsp from server: this is server';

/** Registers the compatible command set on a gateway. */
export function registerRoomCommands(gateway: Gateway): void {
  gateway.onMessage('ping', () => 'pong');
  gateway.onMessage('subscribe', async (ctx: MessageContext) => {
    // Only the JSON protocol can send an object (`{"room", "since"}`): a text payload is always a room name.
    const obj = typeof ctx.msg.data === 'object' && ctx.msg.data !== null ? ctx.object() : undefined;
    const room = gateway.checkClientRoom(obj ? ctx.field(obj, 'room') : ctx.text('room name'));
    const since = position(obj?.['since']);
    if (since !== undefined && ctx.conn.protocol.encodeResult)
      return subscribeSince(gateway, ctx, room, since);
    await gateway.join(ctx.conn, room);
    return `Subscribe roomNum:${room} success!`;
  });
  gateway.onMessage('unsubscribe', async (ctx: MessageContext) => {
    const room = gateway.checkRoom(ctx.text('room name'));
    await gateway.leave(ctx.conn, room);
    return `Unsubscribe roomNum:${room} success!`;
  });
  // Pipelined: a burst of pushes from one page is issued in order without waiting for each to finish.
  gateway.onMessage(
    'sendByRoom',
    async (ctx: MessageContext) => {
      const obj = ctx.object();
      await ctx.pushToRoom(ctx.field(obj, 'roomNum'), ctx.field(obj, 'message'));
      return 'SendByRoom success!';
    },
    { pipelined: true },
  );
  gateway.onMessage(
    'broadcast',
    async (ctx: MessageContext) => {
      await ctx.pushToAll(ctx.field(ctx.object(), 'message'));
      return 'Broadcast success!';
    },
    { pipelined: true },
  );
  registerChannelCommands(gateway);
  gateway.onOtherMessage(() => UNKNOWN_COMMAND_REPLY);
}
