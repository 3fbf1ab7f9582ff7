/** Opening a plain WebSocket client, shared by the tars-ws and ws adapters. */
import WebSocket from 'ws';

/** Connects to the WebSocket endpoint of `httpUrl` and resolves once the connection is open. */
export function openWebSocket(httpUrl: string): Promise<WebSocket> {
  const ws = new WebSocket(httpUrl.replace(/^http/, 'ws'), { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.off('error', reject);
      // Errors after the open show up as missing deliveries; the harness reports those.
      ws.on('error', () => undefined);
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Resolves with the first text frame for which `accept` is true. */
export function firstText(ws: WebSocket, accept: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const text = String(data);
      if (!accept(text)) return;
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(text);
    };
    const onClose = (code: number): void => {
      ws.off('message', onMessage);
      reject(new Error(`connection closed with ${code} before the expected reply`));
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
  });
}

/** Watches `ws` for its close: the returned function gives the code and reason, undefined while it is open. */
export function closeWatch(ws: WebSocket): () => string | undefined {
  let closedBy: string | undefined;
  ws.once('close', (code, reason) => {
    const why = String(reason);
    closedBy = `closed with ${code}${why === '' ? '' : ` (${why})`}`;
  });
  return () => closedBy;
}
