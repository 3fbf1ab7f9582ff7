import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/index.js';

function jsonFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tars-ws-config-')), 'config.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('configuration', () => {
  it('defaults to 127.0.0.1:8080 with the documented limits', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.maxFrameBytes, 64 * 1024);
    assert.equal(c.maxBufferedBytes, 1024 * 1024);
    assert.equal(c.roomStore, 'memory');
  });

  it('layers defaults < file < environment < flags', () => {
    const file = jsonFile({ port: 1111, host: '0.0.0.0', maxFrameBytes: 2048 });
    const c = loadConfig({ env: { TARS_WS_CONFIG: file, PORT: '2222' }, argv: ['--port', '3333'] });
    assert.equal(c.port, 3333);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.maxFrameBytes, 2048);
    assert.equal(loadConfig({ env: { TARS_WS_CONFIG: file, PORT: '2222' } }).port, 2222);
  });

  it('accepts --flag=value and --config', () => {
    const file = jsonFile({ logLevel: 'debug' });
    const c = loadConfig({ env: {}, argv: [`--config=${file}`, '--host=::1'] });
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.host, '::1');
  });

  it('names the bad key and the accepted values', () => {
    assert.throws(
      () => loadConfig({ env: { PORT: 'eighty' } }),
      (err: unknown) =>
        err instanceof ConfigError && err.key === 'port (from env PORT)' && /0 to 65535/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ env: {}, argv: ['--room-store', 'mongo'] }),
      (err: unknown) => err instanceof ConfigError && /accepted values: memory, file/.test(err.message),
    );
  });

  it('refuses unknown flags, unknown file keys and unreadable files', () => {
    assert.throws(() => loadConfig({ env: {}, argv: ['--prot', '1'] }), /unknown flag/);
    assert.throws(() => loadConfig({ env: {}, argv: ['--config', jsonFile({ prot: 1 })] }), /unknown key/);
    assert.throws(() => loadConfig({ env: {}, argv: ['--config', jsonFile('{not json')] }), /not valid JSON/);
    assert.throws(() => loadConfig({ env: {}, argv: ['--config', '/nonexistent/x.json'] }), /cannot read/);
  });

  it('returns a frozen object', () => {
    assert.ok(Object.isFrozen(loadConfig({ env: {} })));
  });
});
