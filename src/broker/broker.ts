/**
 * Fan-out between gateway processes. A room send, broadcast or direct send is published once; every process
 * (this one included) receives it and delivers it to the receivers it holds. The local broker is the default;
 * cluster IPC and Redis brokers implement the same interface.
 */
import type { ConnId, RoomId } from '../types.js';

/**
 * What a room message carries beyond its text, for protocols that show more than the text (Centrifugo's
 * publication): all optional, so a plain push costs nothing and text clients never see any of it.
 */
export interface PublicationMeta {
  /** The message is JSON text (an SDK publish of an object): Centrifugo clients get the value, not a string. */
  json?: boolean;
  /** Position in the channel's history stream, when the channel keeps history. */
  offset?: number;
  epoch?: string;
  /** The publisher's client info (Centrifugo `ClientInfo`: user, client, conn_info, chan_info). */
  info?: PublisherInfo;
  /** Free-form string tags of the publication (Centrifugo server API `tags`). */
  tags?: Readonly<Record<string, string>>;
}

/** Who published, as Centrifugo reports it in a publication's `info`. */
export interface PublisherInfo {
  user: string;
  client: string;
  conn_info?: unknown;
  chan_info?: unknown;
}

/**
 * A server-side operation on one user's Centrifugo connections (server API subscribe, unsubscribe, disconnect,
 * refresh). Every process applies it to the connections of `user` it holds; `client` narrows it to one connection
 * id, `whitelist` spares the listed ones (disconnect).
 */
export interface ControlMessage {
  kind: 'control';
  user: string;
  /** One connection (its client id, the decimal connection id); absent: every connection of the user. */
  client?: string;
  /** Client ids left alone. */
  whitelist?: string[];
  op: ControlOp;
}

/** What a session does on a {@link ControlMessage}. */
export type ControlOp =
  /** Join `channel` and tell the client with a `subscribe` push carrying `data`. */
  | { op: 'subscribe'; channel: string; data?: unknown }
  /** Leave `channel` and tell the client with an `unsubscribe` push (code 2000). */
  | { op: 'unsubscribe'; channel: string }
  /** Close the connection with this Centrifugo disconnect code and reason. */
  | { op: 'disconnect'; code: number; reason: string }
  /** `expired`: close with 3005; else the connection now expires at `expireAt` (seconds, 0 = never). */
  | { op: 'refresh'; expired: boolean; expireAt: number };

export type BrokerMessage =
  | { kind: 'room'; room: RoomId; message: string; pub?: PublicationMeta }
  | { kind: 'all'; message: string }
  /** To one connection; brokers may route it to its process only (see `processOfConn`). */
  | { kind: 'conn'; conn: ConnId; message: string }
  /** Someone joined or left a room that announces it (Centrifugo join/leave); only protocols that show it get it. */
  | { kind: 'presence'; room: RoomId; event: PresenceEvent; info: PublisherInfo }
  | ControlMessage;

export type PresenceEvent = 'join' | 'leave';

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
