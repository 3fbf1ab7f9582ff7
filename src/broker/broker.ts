/**
 * Fan-out between gateway processes. A room send, broadcast or direct send is published once; every process
 * (this one included) receives it and delivers it to the receivers it holds. The local broker is the default;
 * cluster IPC and Redis brokers implement the same interface.
 */
import type { ConnId, RoomId } from '../types.js';

export type BrokerMessage =
  | { kind: 'room'; room: RoomId; message: string }
  | { kind: 'all'; message: string }
  /** To one connection; brokers may route it to its process only (see `processOfConn`). */
  | { kind: 'conn'; conn: ConnId; message: string };

export type BrokerHandler = (msg: BrokerMessage) => void;

export interface Broker {
  /** Delivers `msg` to every subscribed process, this one included. Rejects only if the message could not leave. */
  publish(msg: BrokerMessage): Promise<void>;
  /** Registers the one handler of this process. */
  subscribe(handler: BrokerHandler): void;
  close(): Promise<void>;
  /** Whether the bus behind it is reachable now (readiness); absent for brokers that need none (local). */
  readonly connected?: boolean;
}
