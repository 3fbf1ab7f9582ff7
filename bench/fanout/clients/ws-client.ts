/** The plain ws server's JSON commands (see servers/ws-server.ts); pushes are the bare text. */
import type { TargetClient } from './client.js';
import { closeWatch, firstText, openWebSocket } from './ws-open.js';

export const wsClient: TargetClient = {
  async subscribe(url, room, onPush) {
    const ws = await openWebSocket(url);
    const reply = firstText(ws, () => true);
    ws.send(JSON.stringify({ type: 'subscribe', room }));
    const text = await reply;
    if (text !== JSON.stringify({ type: 'subscribed', room })) {
      throw new Error(`ws server refused the subscription: ${text}`);
    }
    ws.on('message', (data) => onPush(String(data)));
    return { close: () => ws.terminate() };
  },
  async publisher(url) {
    const ws = await openWebSocket(url);
    const closedBy = closeWatch(ws);
    return {
      publish: (room, text) => ws.send(JSON.stringify({ type: 'publish', room, message: text })),
      get closedBy() {
        return closedBy();
      },
      close: () => ws.terminate(),
    };
  },
};
