/**
 * Helpers for tests that drive tars-ws with the official `centrifuge` SDK in Node: HS256 tokens, awaiting one SDK
 * event with a deadline, and a client pool a suite disconnects at its end.
 */
import { Centrifuge, type Subscription } from 'centrifuge';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { DEFAULT_CHANNEL_OPTIONS, type ChannelOptions, type Gateway } from '../../src/index.js';
import { callbackWithin as within } from './centrifuge-sdk.js';
import { wsUrl } from './gateway.js';

export { within };

export const SECRET = 'test-secret-key-of-sufficient-length';

/** Channel defaults that let anyone subscribe to and publish in rooms, as the demo config does. */
export const OPEN_ROOMS: ChannelOptions = {
  ...DEFAULT_CHANNEL_OPTIONS,
  allowSubscribeForClient: true,
  allowSubscribeForAnonymous: true,
  allowPublishForSubscriber: true,
  allowPublishForAnonymous: true,
};

/** An HS256 token with `claims`, expiring `expiresIn` seconds from now when given, signed with `secret`. */
export function hs256(claims: Record<string, unknown>, expiresIn?: number, secret = SECRET): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' });
  if (expiresIn !== undefined) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
}

type Options = Partial<ConstructorParameters<typeof Centrifuge>[1]>;

/** SDK clients of one suite: `make` opens one on the gateway's `/connection/websocket`, `closeAll` ends them. */
export class SdkClients {
  readonly #clients: Centrifuge[] = [];
  readonly #gateway: () => Gateway;

  constructor(gateway: () => Gateway) {
    this.#gateway = gateway;
  }

  make(opts: Options = {}): Centrifuge {
    const c = new Centrifuge(wsUrl(this.#gateway(), '/connection/websocket'), {
      websocket: WebSocket,
      minReconnectDelay: 50,
      maxReconnectDelay: 200,
      ...opts,
    });
    this.#clients.push(c);
    return c;
  }

  /** A client that has connected. */
  async connected(opts: Options = {}): Promise<Centrifuge> {
    const c = this.make(opts);
    await within('connected', (done) => {
      c.once('connected', done);
      c.connect();
    });
    return c;
  }

  closeAll(): void {
    for (const c of this.#clients) c.disconnect();
  }
}

/** Subscribes and resolves once subscribed; rejects with the SDK's error context (its `error.code`) otherwise. */
export function subscribed(sub: Subscription): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${sub.channel}: not subscribed within 5000 ms`)), 5000);
    sub.once('subscribed', () => {
      clearTimeout(timer);
      resolve();
    });
    sub.once('error', (ctx) => {
      clearTimeout(timer);
      reject(ctx.error);
    });
    sub.once('unsubscribed', (ctx) => {
      clearTimeout(timer);
      reject(ctx);
    });
    sub.subscribe();
  });
}
