/**
 * The application the launcher test starts in each worker: the chat demo with `whoami` (answers the worker's pid)
 * and two admin commands (`chat.echo ARGS`, `chat.rooms`). It finds its Tars config through TARS_CONFIG, as an
 * application started by the launcher does.
 */
import { createChatApp } from '../../examples/chat/app.js';
import { loadConfig, runGateway } from '../../src/index.js';

const config = loadConfig({ overrides: { heartbeatIntervalMs: 0 } });
await runGateway(
  config,
  async (cfg, deps) => {
    const gateway = await createChatApp(cfg, deps);
    gateway.onMessage('whoami', () => String(process.pid));
    return gateway;
  },
  {
    adminCommands: {
      'chat.echo': (args) => `echo ${args}`,
      'chat.rooms': async (_args, gateway) => (await gateway.store.rooms()).sort().join(','),
    },
  },
);
