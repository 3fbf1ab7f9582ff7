/**
 * Socket.IO 4 client over WebSocket only. `forceNew` gives each subscriber its own connection: without it
 * socket.io-client multiplexes every socket to the same URL over one.
 */
import { io, type Socket } from 'socket.io-client';
import type { TargetClient } from './client.js';

const JOIN_TIMEOUT_MS = 10_000;

function connect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('connect_error', reject);
      resolve(socket);
    });
    socket.once('connect_error', reject);
  });
}

export const socketIoClient: TargetClient = {
  async subscribe(url, room, onPush) {
    const socket = await connect(url);
    const reply: unknown = await socket.timeout(JOIN_TIMEOUT_MS).emitWithAck('join', room);
    if (reply !== 'joined') throw new Error(`socket.io server refused the join: ${String(reply)}`);
    socket.on('msg', (text: unknown) => onPush(String(text)));
    return { close: () => socket.disconnect() };
  },
  async publisher(url) {
    const socket = await connect(url);
    const ignoreAck = (): void => undefined;
    let closedBy: string | undefined;
    socket.once('disconnect', (reason) => (closedBy = `disconnected (${reason})`));
    return {
      publish: (room, text) => socket.emit('publish', room, text, ignoreAck),
      get closedBy() {
        return closedBy;
      },
      close: () => socket.disconnect(),
    };
  },
};
