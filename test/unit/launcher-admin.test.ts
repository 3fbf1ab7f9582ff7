import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ControlReply } from '../../src/platform/supervisor.js';
import { AdminNotify, type WorkerControl } from '../../src/platform/tars/admin-commands.js';
import { AdminControl, UNKNOWN_COMMAND } from '../../src/platform/tars/admin-worker.js';
import { parseTarsServerConfig } from '../../src/platform/tars/tars-conf.js';

const tars = parseTarsServerConfig(
  '<tars>\n<application>\n<server>\napp=Demo\nserver=WsServer\n</server>\n</application>\n</tars>',
);

/** Two workers whose answers the test scripts per control kind. */
function workers(
  answer: (kind: string, payload: unknown, workerId: number) => ControlReply,
): WorkerControl & {
  asked: [string, unknown][];
} {
  const asked: [string, unknown][] = [];
  return {
    asked,
    workers: [
      { workerId: 0, pid: 100, restarts: 0 },
      { workerId: 1, pid: 101, restarts: 2 },
    ],
    control: (kind, payload) => {
      asked.push([kind, payload]);
      return Promise.resolve([0, 1].map((id) => answer(kind, payload, id)));
    },
  };
}

const status = (id: number, connections: number): ControlReply => ({
  workerId: id,
  pid: 100 + id,
  ok: true,
  value: { pid: 100 + id, connections, rooms: 1, rssBytes: 0, uptimeSec: 5, logLevel: 'info' },
});

function notifier(control: WorkerControl): AdminNotify {
  return new AdminNotify({ tars, supervisor: control, logger: pino({ level: 'silent' }) });
}

describe('AdminObj notify in the launcher', () => {
  it('shows a worker that did not answer in tars.viewstatus', async () => {
    const n = notifier(
      workers((_k, _p, id) =>
        id === 0 ? status(0, 3) : { workerId: 1, pid: 101, ok: false, value: 'no answer' },
      ),
    );
    const text = await n.notify('tars.viewstatus');
    assert.match(text, /^worker 0 pid 100: connections 3, rooms 1, .* restarts 0, log level info$/m);
    assert.match(text, /^worker 1 pid 101: no answer$/m);
  });

  it('adds up tars.connection over the workers', async () => {
    const text = await notifier(workers((_k, _p, id) => status(id, id + 2))).notify('tars.connection');
    assert.equal(text.split('\n')[0], 'connections: 5');
  });

  it('relays tars.setloglevel as the pino level and names workers that failed', async () => {
    const control = workers((_k, _p, id) => ({ workerId: id, pid: 100 + id, ok: id === 0, value: 'x' }));
    assert.equal(
      await notifier(control).notify('tars.setloglevel warn'),
      'set log level [WARN] failed on worker(s) 1',
    );
    assert.deepEqual(control.asked, [[AdminControl.logLevel, 'warn']]);
  });

  it('shows each worker answer of an application command, failures included', async () => {
    const control = workers((_k, p, id) =>
      id === 0
        ? { workerId: 0, pid: 100, ok: true, value: `did ${String(p)}` }
        : { workerId: 1, pid: 101, ok: false, value: 'store down' },
    );
    assert.equal(
      await notifier(control).notify('  app.cmd  a b '),
      '[worker 0 pid 100] did app.cmd  a b\n[worker 1 pid 101] error: store down',
    );
  });

  it('answers "unknown command" when no worker knows it', async () => {
    const control = workers((_k, _p, id) => ({
      workerId: id,
      pid: 100 + id,
      ok: false,
      value: UNKNOWN_COMMAND,
    }));
    assert.match(await notifier(control).notify('nope'), /^unknown command "nope"; built-in commands:/);
  });

  describe('tars.loadconfig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tars-ws-loadconfig-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'bin');
    const conf = join(dir, 'conf');
    mkdirSync(bin);
    mkdirSync(conf);
    const serverConf = (level: string): string =>
      `<tars>\n<application>\n<server>\napp=Demo\nserver=WsServer\nbasepath=${bin}/\nlogLevel=${level}\n</server>\n</application>\n</tars>\n`;
    const tarsFile = join(conf, 'Demo.WsServer.config.conf');
    writeFileSync(tarsFile, serverConf('INFO'));
    const withFiles = parseTarsServerConfig(serverConf('INFO'), tarsFile);
    const applied = (_k: string, p: unknown, id: number): ControlReply => ({
      workerId: id,
      pid: 100 + id,
      ok: true,
      value: `read ${String(p)}`,
    });
    const loader = (control: WorkerControl, logger = pino({ level: 'info' })): AdminNotify =>
      new AdminNotify({ tars: withFiles, supervisor: control, logger, appDir: dir });

    it('finds a relative name in the server basepath and relays its absolute path to every worker', async () => {
      writeFileSync(join(bin, 'tars-ws.json'), '{}');
      const control = workers(applied);
      const text = await loader(control).notify('tars.loadconfig tars-ws.json');
      const file = join(bin, 'tars-ws.json');
      assert.deepEqual(control.asked, [[AdminControl.loadConfig, file]]);
      assert.equal(
        text,
        `tars.loadconfig ${file}\n[worker 0 pid 100] read ${file}\n[worker 1 pid 101] read ${file}`,
      );
    });

    it('finds the server config by its name in conf/', async () => {
      const control = workers(applied);
      await loader(control).notify('tars.loadconfig Demo.WsServer.config.conf');
      assert.deepEqual(control.asked, [[AdminControl.loadConfig, tarsFile]]);
    });

    it('answers where it looked for a file it cannot find, and asks no worker', async () => {
      const control = workers(applied);
      const text = await loader(control).notify('tars.loadconfig nope.json');
      assert.equal(text, `tars.loadconfig: nope.json not found in ${bin}, ${conf}, ${dir}; nothing changed`);
      assert.deepEqual(control.asked, []);
    });

    it("follows a new server logLevel of the Tars config in the launcher's own logger", async () => {
      const file = join(conf, 'debug.conf');
      writeFileSync(file, serverConf('DEBUG'));
      const logger = pino({ level: 'info' });
      const text = await loader(workers(applied), logger).notify(`tars.loadconfig ${file}`);
      assert.equal(logger.level, 'debug');
      assert.match(text, /^\[launcher pid \d+\] applied: logLevel "info" -> "debug"$/m);
    });

    it('asks for a file name', async () => {
      assert.match(await notifier(workers(applied)).notify('tars.loadconfig'), /name the file/);
    });
  });
});
