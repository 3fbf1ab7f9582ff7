/** The chat example (examples/chat/app.ts) on an ephemeral port, for the tests of the example and its HTTP push API. */
import { createChatApp, type ChatAppOptions } from '../../examples/chat/app.js';
import type { Gateway, GatewayConfig, GatewayDeps } from '../../src/index.js';
import { testConfig } from './gateway.js';

export async function startChat(
  overrides: Partial<GatewayConfig> = {},
  deps: GatewayDeps = {},
  app: ChatAppOptions = {},
): Promise<Gateway> {
  const gateway = await createChatApp(testConfig(overrides), deps, app);
  await gateway.listen();
  return gateway;
}
