/**
 * The per-target client adapter: the load generator speaks to every server through this, so the harness (connect,
 * measure, publish) is the same code for all targets and only the wire format differs.
 */

/** Called with the text of every message pushed to a subscriber. */
export type OnPush = (text: string) => void;

export interface ClientConnection {
  /** Cuts the connection at once (no closing handshake: the run is over). */
  close(): void;
}

export interface Publisher extends ClientConnection {
  /** Asks the server to send `text` to every member of `room`; the server's acknowledgement is ignored. */
  publish(room: string, text: string): void;
  /**
   * How the server ended the connection, e.g. `closed with 1008 (too many messages in flight)`; undefined while it
   * is open. Read before {@link close}, which ends it too.
   */
  readonly closedBy: string | undefined;
}

export interface TargetClient {
  /**
   * Opens a connection, joins `room`, and resolves once the server confirmed the join. `index` numbers the
   * subscribers of a run from 0 (the mixed target picks each one's protocol by it).
   */
  subscribe(url: string, room: string, onPush: OnPush, index: number): Promise<ClientConnection>;
  /** Opens the publisher's connection (it joins no room). */
  publisher(url: string): Promise<Publisher>;
}
