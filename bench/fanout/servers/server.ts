/** What every benchmarked server offers its process: where it listens and how to stop it. */
export interface BenchServer {
  /** `http://127.0.0.1:port`; WebSocket clients connect to the same port. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts one server on an ephemeral loopback port. */
export type StartServer = () => Promise<BenchServer>;
