/**
 * Connection tokens of the connect benchmark: HS256 JWTs signed with jose, one per user (`sub` user-N, an hour
 * of validity, as an application would mint them), all signed before any measurement starts.
 */
import { SignJWT } from 'jose';
import { BENCH_TOKEN_SECRET } from '../fanout/servers/token-secret.js';

const VALIDITY_S = 3600;

export async function signTokens(count: number): Promise<string[]> {
  const key = new TextEncoder().encode(BENCH_TOKEN_SECRET);
  const exp = Math.floor(Date.now() / 1000) + VALIDITY_S;
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(
      await new SignJWT({ sub: `user-${i}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(exp)
        .sign(key),
    );
  }
  return tokens;
}
