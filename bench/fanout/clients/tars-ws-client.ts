/** tars-ws text protocol: `subscribe|room` answered `Subscribe roomNum:room success!`, pushes are the bare text. */
import type { TargetClient } from './client.js';
import { closeWatch, firstText, openWebSocket } from './ws-open.js';

export const tarsWsClient: TargetClient = {
  async subscribe(url, room, onPush) {
    const ws = await openWebSocket(url);
    const confirmed = `Subscribe roomNum:${room} success!`;
    const reply = firstText(ws, () => true);
    ws.send(`subscribe|${room}`);
    const text = await reply;
    if (text !== confirmed) throw new Error(`tars-ws refused the subscription: ${text}`);
    ws.on('message', (data) => onPush(String(data)));
    return { close: () => ws.terminate() };
  },
  async publisher(url) {
    const ws = await openWebSocket(url);
    const closedBy = closeWatch(ws);
    return {
      publish: (room, text) => ws.send(`sendByRoom|${JSON.stringify({ roomNum: room, message: text })}`),
      get closedBy() {
        return closedBy();
      },
      close: () => ws.terminate(),
    };
  },
};
