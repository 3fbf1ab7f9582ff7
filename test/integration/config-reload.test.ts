/**
 * A running gateway takes a config file again (what `tars.loadconfig FILE` does in each worker): the options it
 * reads at use time change at once, the others are reported as waiting for a restart, and the environment and
 * flags still win over the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createChatApp } from '../../examples/chat/app.js';
import {
  ConfigError,
  describeChanges,
  loadConfig,
  reloadGatewayConfig,
  type Gateway,
} from '../../src/index.js';
import { TestClient, wsUrl } from '../support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'tars-ws-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;

function jsonFile(values: Record<string, unknown>): string {
  const file = join(dir, `config-${seq++}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

async function startWith(file: string, env: Record<string, string> = {}): Promise<Gateway> {
  const config = loadConfig({
    env,
    argv: ['--config', file],
    overrides: { port: 0, heartbeatIntervalMs: 0, drainMs: 0 },
  });
  const gateway = await createChatApp(config);
  await gateway.listen();
  return gateway;
}

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('reloading the config of a running gateway', () => {
  it('lowers maxConnections for the next upgrade', async () => {
    const gateway = await startWith(jsonFile({ logLevel: 'silent', maxConnections: 10 }));
    const first = await TestClient.open(wsUrl(gateway));
    try {
      const changes = reloadGatewayConfig(gateway, jsonFile({ logLevel: 'silent', maxConnections: 1 }));
      assert.equal(describeChanges(changes), 'applied: maxConnections 10 -> 1');
      assert.equal(gateway.config.maxConnections, 1);
      assert.equal(await upgradeStatus(wsUrl(gateway)), 503);
    } finally {
      await first.close();
      await gateway.close();
    }
  });

  it('refuses a push longer than the new maxMessageLength', async () => {
    const gateway = await startWith(jsonFile({ logLevel: 'silent' }));
    try {
      reloadGatewayConfig(gateway, jsonFile({ logLevel: 'silent', maxMessageLength: 4 }));
      const res = await fetch(`${gateway.url}/Index/pushByRoom?roomNum=r&message=12345`);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /longer than 4 characters/);
    } finally {
      await gateway.close();
    }
  });

  it('sets the log level of the gateway logger', async () => {
    const gateway = await startWith(jsonFile({ logLevel: 'silent' }));
    try {
      reloadGatewayConfig(gateway, jsonFile({ logLevel: 'debug' }));
      assert.equal(gateway.logger.level, 'debug');
      assert.equal(gateway.config.logLevel, 'debug');
    } finally {
      await gateway.close();
    }
  });

  it('keeps the port it listens on and says the new one needs a restart', async () => {
    const gateway = await startWith(jsonFile({ logLevel: 'silent' }));
    try {
      const port = gateway.address.port;
      const changes = reloadGatewayConfig(
        gateway,
        jsonFile({ logLevel: 'silent', maxRoomsPerConnection: 3 }),
      );
      assert.deepEqual(changes, [{ key: 'maxRoomsPerConnection', from: 100, to: 3, live: false }]);
      assert.equal(gateway.config.maxRoomsPerConnection, 100);
      assert.equal(gateway.address.port, port);
    } finally {
      await gateway.close();
    }
  });

  it('lets the environment win over the file, as at start', async () => {
    const gateway = await startWith(jsonFile({ logLevel: 'silent' }), { MAX_CONNECTIONS: '7' });
    try {
      const changes = reloadGatewayConfig(gateway, jsonFile({ logLevel: 'silent', maxConnections: 1 }));
      assert.deepEqual(changes, []);
      assert.equal(gateway.config.maxConnections, 7);
    } finally {
      await gateway.close();
    }
  });

  it('changes nothing when the file has a bad value, and names the key', async () => {
    const gateway = await startWith(jsonFile({ logLevel: 'silent', maxConnections: 10 }));
    try {
      assert.throws(
        () => reloadGatewayConfig(gateway, jsonFile({ maxConnections: 1, maxMessageLength: -1 })),
        (err: unknown) => err instanceof ConfigError && err.key.startsWith('maxMessageLength'),
      );
      assert.equal(gateway.config.maxConnections, 10);
    } finally {
      await gateway.close();
    }
  });
});
