/**
 * Target 2: the simplest idiomatic `ws` room server. JSON commands; a room is a Set of sockets, and a publish sends
 * the same string to each member with `ws.send`. The publisher gets an `ok` back, as tars-ws answers sendByRoom.
 *
 * Reference `ws-corked` (not run by default): the same server, but each member's TCP socket is corked at its first
 * send of an event-loop turn and uncorked once after the turn, so a burst reaches each socket as one write. It shows
 * what coalescing writes is worth, for comparison with tars-ws.
 */
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { BenchServer } from './server.js';

/** `{"type":"subscribe","room":R}` or `{"type":"publish","room":R,"message":M}`. */
interface Command {
  type?: unknown;
  room?: unknown;
  message?: unknown;
}

type Send = (member: WebSocket, message: string) => void;

export function startWs(): Promise<BenchServer> {
  return startRoomServer((member, message) => member.send(message));
}

export function startWsCorked(): Promise<BenchServer> {
  const corked = new Set<Socket>();
  const uncorkAll = (): void => {
    for (const socket of corked) socket.uncork();
    corked.clear();
  };
  return startRoomServer((member, message) => {
    // `_socket` is ws's internal net.Socket; @types/ws does not declare it.
    const socket = (member as unknown as { _socket: Socket })._socket;
    if (!corked.has(socket)) {
      if (corked.size === 0) setImmediate(uncorkAll);
      corked.add(socket);
      socket.cork();
    }
    member.send(message);
  });
}

async function startRoomServer(send: Send): Promise<BenchServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  const rooms = new Map<string, Set<WebSocket>>();
  wss.on('connection', (ws) => {
    const joined = new Set<string>();
    ws.on('message', (data) => {
      let cmd: Command;
      try {
        cmd = JSON.parse(String(data)) as Command;
      } catch {
        return;
      }
      if (typeof cmd.room !== 'string') return;
      if (cmd.type === 'subscribe') {
        let members = rooms.get(cmd.room);
        if (!members) rooms.set(cmd.room, (members = new Set()));
        members.add(ws);
        joined.add(cmd.room);
        ws.send(JSON.stringify({ type: 'subscribed', room: cmd.room }));
      } else if (cmd.type === 'publish' && typeof cmd.message === 'string') {
        for (const member of rooms.get(cmd.room) ?? []) send(member, cmd.message);
        ws.send('ok');
      }
    });
    ws.on('close', () => {
      for (const room of joined) rooms.get(room)?.delete(ws);
    });
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
