import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/index.js';
import { LogLimiter, setLogLevel, trackedLogger } from '../../src/logger.js';
import { eventually } from '../support/eventually.js';
import { startGateway } from '../support/gateway.js';

function sink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n'))
        if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { stream, lines };
}

describe('log level changes', () => {
  it('reach every child and grandchild made before the change', () => {
    const { stream, lines } = sink();
    const root = trackedLogger({ level: 'info' }, stream);
    const child = root.child({ component: 'http' });
    const grandchild = child.child({ conn: 1 });
    grandchild.debug('hidden');
    setLogLevel(root, 'debug');
    grandchild.debug('shown');
    child.debug('shown too');
    setLogLevel(root, 'warn');
    child.info('hidden again');
    assert.deepEqual(
      lines.map((l) => l['msg']),
      ['shown', 'shown too'],
    );
  });
});

describe('LogLimiter', () => {
  it('writes one line per subject and interval, and counts the rest into the next line', () => {
    const { stream, lines } = sink();
    let clock = 0;
    const limiter = new LogLimiter(trackedLogger({ level: 'info' }, stream), 50, 100, () => clock);
    for (let i = 0; i < 1000; i++) limiter.warn('1.2.3.4', { i }, 'bad frame');
    limiter.warn('5.6.7.8', {}, 'bad frame');
    assert.equal(lines.length, 2);
    clock += 60;
    limiter.warn('1.2.3.4', {}, 'bad frame');
    assert.equal(lines.length, 3);
    assert.equal(lines[2]?.['suppressed'], 999);
  });

  it('stays bounded in the subjects it remembers', () => {
    const { stream, lines } = sink();
    const limiter = new LogLimiter(trackedLogger({ level: 'info' }, stream), 60_000, 10);
    for (let i = 0; i < 100; i++) limiter.info(`client${i}`, {}, 'refused');
    assert.equal(lines.length, 100);
    // The first subjects were forgotten (only 10 are kept): they log again rather than growing the map.
    limiter.info('client0', {}, 'refused');
    assert.equal(lines.length, 101);
  });
});

describe('log format and request lines', () => {
  it('writes readable lines with logFormat pretty (pino-pretty) instead of JSON', () => {
    const script =
      "const { createLogger } = await import('./src/logger.ts');" +
      "createLogger('info', 'pretty-test', 'pretty').info({ conn: 7 }, 'hello pretty');";
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.match(out, /INFO.*\(pretty-test.*\): hello pretty/);
    assert.match(out, /conn: 7/);
    assert.throws(() => JSON.parse(out));
  });

  it('takes logFormat from LOG_FORMAT and refuses other values naming the key', () => {
    assert.equal(loadConfig({ env: { LOG_FORMAT: 'pretty' } }).logFormat, 'pretty');
    assert.throws(() => loadConfig({ env: { LOG_FORMAT: 'xml' } }), /logFormat.*json, pretty/);
  });

  it('logs every HTTP request at debug: method, route (no query), status, time', async () => {
    const { stream, lines } = sink();
    const gateway = await startGateway({}, { logger: trackedLogger({ level: 'debug' }, stream) });
    try {
      await (await fetch(`${gateway.url}/healthz?token=secret`)).text();
      // The line is written when the response finished, which may come a tick after the client has it.
      const line = await eventually(
        () => lines.find((l) => l['msg'] === 'http request'),
        (l) => l !== undefined,
        { withinMs: 2000, what: 'the request line' },
      );
      assert.equal(line?.['method'], 'GET');
      assert.equal(line?.['route'], '/healthz');
      assert.equal(line?.['status'], 200);
      assert.equal(typeof line?.['ms'], 'number');
      assert.ok(!JSON.stringify(lines).includes('secret'));
    } finally {
      await gateway.close();
    }
  });
});
