/**
 * The Centrifugo connections of this process by user (their token's `sub`, '' for anonymous), so a control
 * message of the server API (subscribe, unsubscribe, disconnect, refresh a user) finds the sessions it is for. Each
 * process applies every control message to the sessions it holds; the broker carries it to the others.
 */
import type { ControlMessage } from '../broker/broker.js';
import type { Connection } from './connection.js';

export class UserSessions {
  readonly #byUser = new Map<string, Set<Connection>>();
  readonly #userOf = new Map<Connection, string>();

  /** Number of distinct users with a connection here (anonymous counts as one, as in Centrifugo). */
  get userCount(): number {
    return this.#byUser.size;
  }

  /** `conn` connected as `user` (SessionHost.connected). */
  add(conn: Connection, user: string): void {
    this.remove(conn);
    this.#userOf.set(conn, user);
    let conns = this.#byUser.get(user);
    if (!conns) this.#byUser.set(user, (conns = new Set()));
    conns.add(conn);
  }

  /** Forgets a closed connection. */
  remove(conn: Connection): void {
    const user = this.#userOf.get(conn);
    if (user === undefined) return;
    this.#userOf.delete(conn);
    const conns = this.#byUser.get(user);
    conns?.delete(conn);
    if (conns?.size === 0) this.#byUser.delete(user);
  }

  /** Hands the operation to every session of the message's user here (narrowed by client, whitelist); the count. */
  apply(msg: ControlMessage): number {
    const conns = this.#byUser.get(msg.user);
    if (!conns) return 0;
    let applied = 0;
    // A copy: a disconnect closes connections, which may leave the set while it is walked.
    for (const conn of [...conns]) {
      const client = String(conn.id);
      if (msg.client !== undefined && msg.client !== '' && msg.client !== client) continue;
      if (msg.whitelist?.includes(client)) continue;
      if (!conn.session?.control) continue;
      conn.session.control(msg.op);
      applied++;
    }
    return applied;
  }
}
