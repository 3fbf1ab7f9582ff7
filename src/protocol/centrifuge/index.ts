/**
 * The Centrifugo client protocol (v2, JSON), spoken on `/connection/websocket` so the official SDKs (`centrifuge`)
 * connect as they would to Centrifugo. A channel without namespace is a room.
 */
import { ErrorCode, GatewayError } from '../../errors.js';
import type { PresenceEvent, PublisherInfo } from '../../broker/broker.js';
import type { RoomId } from '../../types.js';
import type { InboundMessage, OutboundPush, Protocol, SessionHost, Session } from '../protocol.js';
import { CentrifugeSession } from './session.js';
import { TokenVerifier } from './tokens.js';

/** One verifier per settings object (the gateway's), so keys are imported once. */
const verifiers = new WeakMap<object, TokenVerifier>();

export const CENTRIFUGE_PATH = '/connection/websocket';

export const centrifugeProtocol: Protocol = {
  name: 'centrifuge',
  joinsFrames: true,
  decode(): InboundMessage {
    throw new GatewayError(ErrorCode.BadPayload, 'centrifuge frames are handled by the session');
  },
  encodeReply(): string {
    return '';
  },
  encodeError(): string {
    return '';
  },
  encodePush(push: OutboundPush): string {
    // A text push arrives as a publication whose data is that JSON string; JSON text (`pub.json`) goes in as is,
    // so the frame is built by hand around it rather than parsed and re-serialised.
    const pub = push.pub;
    const data = pub?.json === true ? push.message : JSON.stringify(push.message);
    if (push.room === undefined) return `{"push":{"message":{"data":${data}}}}`;
    let fields = `"data":${data}`;
    if (pub !== undefined) {
      if (pub.info !== undefined) fields += `,"info":${JSON.stringify(pub.info)}`;
      if (pub.offset !== undefined) fields += `,"offset":${pub.offset}`;
      if (pub.tags !== undefined) fields += `,"tags":${JSON.stringify(pub.tags)}`;
    }
    return `{"push":{"channel":${JSON.stringify(push.room)},"pub":{${fields}}}}`;
  },
  encodePresence(room: RoomId, event: PresenceEvent, info: PublisherInfo): string {
    return `{"push":{"channel":${JSON.stringify(room)},"${event}":{"info":${JSON.stringify(info)}}}}`;
  },
  openSession(host: SessionHost): Session {
    let verifier = verifiers.get(host.settings);
    if (!verifier) {
      const s = host.settings;
      verifier = new TokenVerifier({
        hmacSecretKey: s.tokenHmacSecretKey,
        rsaPublicKey: s.tokenRsaPublicKey,
        ecdsaPublicKey: s.tokenEcdsaPublicKey,
        jwksUrl: s.tokenJwksUrl,
        audience: s.tokenAudience,
        issuer: s.tokenIssuer,
      });
      verifiers.set(host.settings, verifier);
    }
    return new CentrifugeSession(host, verifier);
  },
};
