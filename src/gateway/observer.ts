/**
 * Receives the traffic figures of a gateway (for statistics reports). Called on the message path, so
 * implementations must only count: no I/O, no allocation per call beyond a counter update.
 */
export interface GatewayObserver {
  /** A WebSocket command was handled: its name, whether it succeeded, and how long the handler took. */
  message?(cmd: string, ok: boolean, elapsedMs: number, protocol: string): void;
  /** An HTTP request was answered: the route (path), status and time to answer. */
  http?(route: string, status: number, elapsedMs: number): void;
  /** One push reached `count` receivers speaking `protocol`, `bytes` frame bytes in all. Once per push and protocol. */
  delivered?(protocol: string, count: number, bytes: number): void;
}
