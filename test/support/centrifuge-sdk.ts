/**
 * The official `centrifuge` SDK as a test client in Node: connecting one (anonymous or with an HS256 token for a
 * user) and awaiting its callback-style events with a deadline.
 */
import { Centrifuge } from 'centrifuge';
import { SignJWT } from 'jose';
import WebSocket from 'ws';

/** Resolves with the first value `register` hands to its callback; rejects after `ms`. */
export function callbackWithin<T>(
  what: string,
  register: (done: (v: T) => void) => void,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** An HS256 connection token for `sub`, valid five minutes. */
export function hs256Token(secret: string, sub: string): Promise<string> {
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

/** An SDK client of `url` (ws://.../connection/websocket), connected; its client id from the connect reply. */
export async function connectSdk(
  url: string,
  token?: string,
): Promise<{ client: Centrifuge; clientId: string }> {
  const client = new Centrifuge(url, {
    websocket: WebSocket,
    minReconnectDelay: 50,
    maxReconnectDelay: 200,
    ...(token === undefined ? {} : { token }),
  });
  const ctx = await callbackWithin<{ client: string }>('connected', (done) => {
    client.once('connected', done);
    client.connect();
  });
  return { client, clientId: ctx.client };
}
