/**
 * Target 3: a Socket.IO 4 room server. Clients `join` a room by event (acknowledged); a `publish` event is fanned out
 * with `io.to(room).emit('msg', text)` and acknowledged to the publisher. The ping interval is raised past the
 * length of a run because the tars-ws target runs without heartbeat.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import type { BenchServer } from './server.js';

export async function startSocketIo(): Promise<BenchServer> {
  const http = createServer();
  const io = new Server(http, { serveClient: false, pingInterval: 120_000, pingTimeout: 60_000 });
  io.on('connection', (socket) => {
    socket.on('join', (room: unknown, ack: unknown) => {
      if (typeof room !== 'string') return;
      void socket.join(room);
      if (typeof ack === 'function') ack('joined');
    });
    socket.on('publish', (room: unknown, message: unknown, ack: unknown) => {
      if (typeof room !== 'string' || typeof message !== 'string') return;
      io.to(room).emit('msg', message);
      if (typeof ack === 'function') ack('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        io.disconnectSockets(true);
        void io.close(() => resolve());
      }),
  };
}
