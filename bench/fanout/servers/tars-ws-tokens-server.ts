/**
 * Server of the connect benchmark (bench/connect.ts): the tars-ws target with an HS256 token secret and anonymous
 * connections still allowed, so one server process takes both kinds of Centrifugo connect.
 */
import { createChatApp } from '../../../examples/chat/app.js';
import type { BenchServer } from './server.js';
import { benchConfig } from './tars-ws-server.js';
import { BENCH_TOKEN_SECRET } from './token-secret.js';

export async function startTarsWsTokens(): Promise<BenchServer> {
  const gateway = await createChatApp(
    benchConfig({ tokenHmacSecretKey: BENCH_TOKEN_SECRET, allowAnonymousConnect: 'true' }),
  );
  await gateway.listen();
  return { url: gateway.url, close: () => gateway.close() };
}
