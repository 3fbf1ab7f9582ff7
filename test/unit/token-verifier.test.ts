import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { TokenError, TokenVerifier } from '../../src/protocol/centrifuge/tokens.js';

const SECRET = 'verifier-secret-of-sufficient-length-for-hs512-keys';
const keys = {
  hmacSecretKey: SECRET,
  rsaPublicKey: '',
  ecdsaPublicKey: '',
  jwksUrl: '',
  audience: '',
  issuer: '',
};

const sign = (alg: string, secret = SECRET): Promise<string> =>
  new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));

describe('connection token verification with an HMAC secret', () => {
  it('accepts HS256, HS384 and HS512 tokens, each verified twice with its key imported once', async () => {
    const verifier = new TokenVerifier(keys);
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const token = await sign(alg);
      assert.equal((await verifier.connectionClaims(token)).user, 'u1', alg);
      assert.equal((await verifier.connectionClaims(token)).user, 'u1', alg);
    }
  });

  it('refuses a token signed with another secret, and an unsigned one', async () => {
    const verifier = new TokenVerifier(keys);
    const other = await sign('HS256', 'another-secret-of-sufficient-length-too');
    await assert.rejects(verifier.verify(other), (err) => err instanceof TokenError && !err.expired);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"u1"}').toString('base64url')}.`;
    await assert.rejects(verifier.verify(unsigned), (err) => err instanceof TokenError && !err.expired);
  });
});
