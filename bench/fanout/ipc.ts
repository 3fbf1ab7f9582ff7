/**
 * Messages between the benchmark (parent) and a server process over the fork IPC channel. CPU is read inside the
 * server process with `process.cpuUsage()`, so the figure is the server's alone, not the load generator's.
 */

/** Parent to server. */
export type ToServer = { type: 'cpu'; id: number } | { type: 'stop' };

/** Server to parent. */
export type FromServer =
  | { type: 'ready'; url: string }
  | { type: 'cpu'; id: number; user: number; system: number }
  | { type: 'failed'; message: string };

export function isFromServer(value: unknown): value is FromServer {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}

export function isToServer(value: unknown): value is ToServer {
  return (
    typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
  );
}
