import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/index.js';
import { currentTarsConfig, resolveConfig } from '../../src/platform/config-load.js';
import { parseLauncherArgs } from '../../src/platform/tars/launcher-args.js';
import {
  checkServiceDescriptor,
  parseServiceDescriptor,
} from '../../src/platform/tars/service-descriptor.js';
import { gatewayOptionsFromTars, pushAdapterOf } from '../../src/platform/tars/tars-conf-gateway.js';
import { findDomain, parseTarsConf, TarsConfSyntaxError } from '../../src/platform/tars/tars-conf-parser.js';
import { parseTarsServerConfig } from '../../src/platform/tars/tars-conf.js';

/** The representative file of the spec (section 4). */
const SPEC_CONF = `<tars>
  <application>
    enableset=n
    setdivision=NULL
    <client>
      locator=tars.tarsregistry.QueryObj@tcp -h 10.0.0.1 -p 17890:tcp -h 10.0.0.2 -p 17890
      sync-invoke-timeout=3000
      async-invoke-timeout=5000
      stat=tars.tarsstat.StatObj
      property=tars.tarsproperty.PropertyObj
      report-interval=60000
      asyncthread=3
      modulename=Demo.WsServer
    </client>
    <server>
      app=Demo
      server=WsServer
      localip=10.0.0.5
      local=tcp -h 127.0.0.1 -p 37411 -t 10000
      basepath=/usr/local/app/tars/tarsnode/data/Demo.WsServer/bin/
      datapath=/usr/local/app/tars/tarsnode/data/Demo.WsServer/data/
      logpath=/usr/local/app/tars/app_log
      logLevel=DEBUG
      deactivating-timeout=3000
      node=tars.tarsnode.ServerObj@tcp -h 10.0.0.5 -p 19386 -t 60000
      <Demo.WsServer.WsObjAdapter>
        allow
        endpoint=tcp -h 10.0.0.5 -p 8080 -t 60000
        maxconns=10240
        protocol=not_tars
        servant=Demo.WsServer.WsObj
        threads=2
      </Demo.WsServer.WsObjAdapter>
      <Demo.WsServer.PushObjAdapter>
        endpoint=tcp -h 10.0.0.5 -p 8081 -t 60000
        protocol=tars
        servant=Demo.WsServer.PushObj
        threads=1
      </Demo.WsServer.PushObjAdapter>
    </server>
  </application>
</tars>
`;

const DESCRIPTOR = { appName: 'Demo', serverName: 'WsServer', objName: 'WsObj' };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tars-ws-conf-'));
}

/** Throws the error `fn` throws (for asserting on its message). */
function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('Tars config syntax', () => {
  it('nests domains and keeps their parameters', () => {
    const root = parseTarsConf('<a>\n x=1\n <b>\n  y=2\n </b>\n</a>\n');
    assert.equal(findDomain(root, ['a'])?.params.get('x'), '1');
    assert.equal(findDomain(root, ['a', 'b'])?.params.get('y'), '2');
    assert.equal(findDomain(root, ['a', 'b'])?.line, 3);
    assert.equal(findDomain(root, ['a', 'c']), undefined);
  });

  it('splits at the first "=" and trims both sides', () => {
    const d = findDomain(parseTarsConf('<a>\n  key =  a=b = c  \n</a>'), ['a']);
    assert.equal(d?.params.get('key'), 'a=b = c');
  });

  it('keeps a bare key with an empty value', () => {
    assert.equal(findDomain(parseTarsConf('<a>\nallow\n</a>'), ['a'])?.params.get('allow'), '');
  });

  it('skips # comment lines and blank lines', () => {
    const d = findDomain(parseTarsConf('# top\n<a>\n\n  # x=1\n   \ny=2\n</a>\n'), ['a']);
    assert.deepEqual([...(d?.params ?? [])], [['y', '2']]);
  });

  it('resolves the escapes \\\\ \\r \\n \\t \\= and keeps other backslashes', () => {
    const d = findDomain(parseTarsConf('<a>\nv=1\\\\2\\r3\\n4\\t5\\=6\\d\nk\\=ey=x\n</a>'), ['a']);
    assert.equal(d?.params.get('v'), '1\\2\r3\n4\t5=6\\d');
    assert.equal(d?.params.get('k=ey'), 'x');
  });

  it('keeps the last value of a repeated key', () => {
    assert.equal(findDomain(parseTarsConf('<a>\nk=1\nk=2\n</a>'), ['a'])?.params.get('k'), '2');
  });

  it('accepts CRLF line ends', () => {
    assert.equal(findDomain(parseTarsConf('<a>\r\nk=1\r\n</a>\r\n'), ['a'])?.params.get('k'), '1');
  });

  const bad: [string, string, RegExp][] = [
    ['an unclosed domain', '<a>\n<b>\n</b>\n', /conf:4: <a> opened on line 1 is never closed/],
    ['a mismatched closing tag', '<a>\n<b>\n</a>\n', /conf:3: <\/a> does not match <b> opened on line 2/],
    ['a closing tag without an opening one', '</a>\n', /conf:1: <\/a> closes nothing/],
    ['a malformed tag', '<a>\n<b c>\n</a>\n', /conf:2: malformed tag "<b c>"/],
    ['a parameter outside any domain', 'k=1\n', /conf:1: "k=1" is outside any <domain>/],
    ['an empty key', '<a>\n =1\n</a>\n', /conf:2: empty key/],
    ['a domain twice in one domain', '<a>\n<b>\n</b>\n<b>\n</b>\n</a>\n', /conf:4: domain <b> appears twice/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what}, naming the line`, () => {
      const err = errorOf(() => parseTarsConf(text, 'conf'));
      assert.ok(err instanceof TarsConfSyntaxError);
      assert.match(err.message, message);
    });
  }
});

describe('Tars server config', () => {
  it('reads every field of the spec example', () => {
    const c = parseTarsServerConfig(SPEC_CONF, 'Demo.WsServer.config.conf');
    assert.equal(c.app, 'Demo');
    assert.equal(c.server, 'WsServer');
    assert.equal(c.localIp, '10.0.0.5');
    assert.deepEqual(c.local, { protocol: 'tcp', host: '127.0.0.1', port: 37411, timeout: 10000 });
    assert.equal(c.node, 'tars.tarsnode.ServerObj@tcp -h 10.0.0.5 -p 19386 -t 60000');
    assert.match(c.locator, /^tars\.tarsregistry\.QueryObj@tcp -h 10\.0\.0\.1/);
    assert.equal(c.stat, 'tars.tarsstat.StatObj');
    assert.equal(c.property, 'tars.tarsproperty.PropertyObj');
    assert.equal(c.reportIntervalMs, 60000);
    assert.equal(c.asyncThread, 3);
    assert.equal(c.moduleName, 'Demo.WsServer');
    assert.equal(c.syncInvokeTimeoutMs, 3000);
    assert.equal(c.asyncInvokeTimeoutMs, 5000);
    assert.equal(c.enableSet, false);
    assert.equal(c.setDivision, '');
    assert.equal(c.logPath, '/usr/local/app/tars/app_log');
    assert.equal(c.dataPath, '/usr/local/app/tars/tarsnode/data/Demo.WsServer/data/');
    assert.equal(c.basePath, '/usr/local/app/tars/tarsnode/data/Demo.WsServer/bin/');
    assert.equal(c.logLevel, 'DEBUG');
    assert.equal(c.deactivatingTimeoutMs, 3000);
    assert.deepEqual(c.adapters, [
      {
        name: 'Demo.WsServer.WsObjAdapter',
        servant: 'Demo.WsServer.WsObj',
        endpoint: { protocol: 'tcp', host: '10.0.0.5', port: 8080, timeout: 60000 },
        protocol: 'not_tars',
        threads: 2,
        maxConns: 10240,
        allow: [],
      },
      {
        name: 'Demo.WsServer.PushObjAdapter',
        servant: 'Demo.WsServer.PushObj',
        endpoint: { protocol: 'tcp', host: '10.0.0.5', port: 8081, timeout: 60000 },
        protocol: 'tars',
        threads: 1,
        maxConns: 10240,
        allow: [],
      },
    ]);
  });

  it("reads an adapter's allow list, split at ; and , as TarsCpp does", () => {
    const c = parseTarsServerConfig(
      '<tars>\n<application>\n<server>\napp=A\nserver=S\n<A.S.PushObjAdapter>\nallow=10.0.*.*;192.0.2.1, 127.0.0.1\n' +
        'endpoint=tcp -h 127.0.0.1 -p 1\nservant=A.S.PushObj\n</A.S.PushObjAdapter>\n</server>\n</application>\n</tars>',
    );
    assert.deepEqual(c.adapters[0]?.allow, ['10.0.*.*', '192.0.2.1', '127.0.0.1']);
  });

  it('fills defaults for optional keys', () => {
    const c = parseTarsServerConfig(
      '<tars>\n<application>\n<server>\napp=A\nserver=S\n</server>\n</application>\n</tars>',
    );
    assert.equal(c.moduleName, 'A.S');
    assert.equal(c.local, undefined);
    assert.equal(c.node, '');
    assert.equal(c.reportIntervalMs, 60000);
    assert.equal(c.logLevel, 'INFO');
    assert.deepEqual(c.adapters, []);
  });

  const invalid: [string, (conf: string) => string, string][] = [
    ['a missing server name', (t) => t.replace('server=WsServer', ''), 'tars.application.server.server'],
    [
      'a bad endpoint',
      (t) => t.replace('-p 8080', '-p 80x'),
      'tars.application.server.Demo.WsServer.WsObjAdapter.endpoint',
    ],
    [
      'a bad protocol',
      (t) => t.replace('protocol=not_tars', 'protocol=http'),
      'tars.application.server.Demo.WsServer.WsObjAdapter.protocol',
    ],
    [
      'a non-numeric threads',
      (t) => t.replace('threads=2', 'threads=two'),
      'tars.application.server.Demo.WsServer.WsObjAdapter.threads',
    ],
    [
      'an unknown log level',
      (t) => t.replace('logLevel=DEBUG', 'logLevel=LOUD'),
      'tars.application.server.logLevel',
    ],
    [
      'a bad node address',
      (t) => t.replace('node=tars.tarsnode.ServerObj@tcp', 'node=tars.tarsnode.ServerObj@http'),
      'tars.application.server.node',
    ],
    [
      'a bad report interval',
      (t) => t.replace('report-interval=60000', 'report-interval=-1'),
      'tars.application.client.report-interval',
    ],
  ];
  for (const [what, edit, key] of invalid) {
    it(`names the key of ${what}`, () => {
      const err = errorOf(() => parseTarsServerConfig(edit(SPEC_CONF), 'x.conf'));
      assert.ok(err instanceof ConfigError, err.message);
      assert.equal(err.key, key);
    });
  }

  it('names the file and line of a syntax error', () => {
    const err = errorOf(() => parseTarsServerConfig(SPEC_CONF.replace('</client>', '</clients>'), 'x.conf'));
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /x\.conf:14: <\/clients> does not match <client> opened on line 5/);
  });
});

describe('Tars config to gateway options', () => {
  it('listens on the not-tars adapter with its threads as workers and the mapped log level', () => {
    const c = parseTarsServerConfig(SPEC_CONF);
    assert.deepEqual(gatewayOptionsFromTars(c), {
      host: '10.0.0.5',
      port: 8080,
      workers: 2,
      logLevel: 'debug',
      shutdownGraceMs: 2000,
    });
  });

  it("prefers the descriptor's servant over the first not-tars adapter", () => {
    const conf = SPEC_CONF.replace(
      '<Demo.WsServer.WsObjAdapter>',
      '<Demo.WsServer.OtherAdapter>\nendpoint=tcp -h 10.0.0.5 -p 9999\nprotocol=not_tars\nservant=Demo.WsServer.Other\n</Demo.WsServer.OtherAdapter>\n<Demo.WsServer.WsObjAdapter>',
    );
    const c = parseTarsServerConfig(conf);
    assert.equal(gatewayOptionsFromTars(c).port, 9999);
    assert.equal(gatewayOptionsFromTars(c, DESCRIPTOR).port, 8080);
  });

  it('finds the PushObj adapter', () => {
    assert.equal(pushAdapterOf(parseTarsServerConfig(SPEC_CONF))?.endpoint.port, 8081);
  });

  it('refuses a config without a not-tars adapter', () => {
    const conf = SPEC_CONF.replace('protocol=not_tars', 'protocol=tars');
    const err = errorOf(() => gatewayOptionsFromTars(parseTarsServerConfig(conf)));
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /no adapter with protocol=not_tars/);
  });
});

describe('service descriptor', () => {
  it('accepts the config it was written for', () => {
    assert.equal(
      checkServiceDescriptor(DESCRIPTOR, parseTarsServerConfig(SPEC_CONF)).servant,
      'Demo.WsServer.WsObj',
    );
  });

  it('refuses a config of another server, naming both', () => {
    const conf = SPEC_CONF.replace('server=WsServer', 'server=ChatServer');
    const err = errorOf(() => checkServiceDescriptor(DESCRIPTOR, parseTarsServerConfig(conf, 'c.conf')));
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /says Demo\.WsServer\.WsObj but c\.conf is for server Demo\.ChatServer/);
  });

  it('refuses a config without the servant, listing the adapters', () => {
    const err = errorOf(() =>
      checkServiceDescriptor({ ...DESCRIPTOR, objName: 'ChatObj' }, parseTarsServerConfig(SPEC_CONF)),
    );
    assert.ok(err instanceof ConfigError);
    assert.equal(err.key, 'tars.proto.json objName');
    assert.match(err.message, /Demo\.WsServer\.WsObj \(not_tars\), Demo\.WsServer\.PushObj \(tars\)/);
  });

  it('refuses a servant whose adapter speaks tars', () => {
    const err = errorOf(() =>
      checkServiceDescriptor({ ...DESCRIPTOR, objName: 'PushObj' }, parseTarsServerConfig(SPEC_CONF)),
    );
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /protocol must be not_tars/);
  });

  it('refuses a descriptor with a missing or malformed name', () => {
    assert.throws(() => parseServiceDescriptor({ appName: 'Demo', serverName: 'WsServer' }), /objName/);
    assert.throws(() => parseServiceDescriptor({ ...DESCRIPTOR, appName: 'De mo' }), /appName/);
  });

  it('ships with the demo and matches its Tars config', () => {
    const shipped = JSON.parse(readFileSync('examples/chat/tars/tars.proto.json', 'utf8')) as unknown;
    assert.deepEqual(parseServiceDescriptor(shipped), DESCRIPTOR);
  });

  it('ships the PushObj IDL in the demo identical to the library copy', () => {
    assert.equal(
      readFileSync('examples/chat/tars/push.tars', 'utf8'),
      readFileSync('src/platform/tars/idl/Push.tars', 'utf8'),
    );
  });
});

describe('loading a Tars config', () => {
  function confFile(name: string, text = SPEC_CONF): string {
    const file = join(tempDir(), name);
    writeFileSync(file, text);
    return file;
  }

  it('takes -c FILE.conf and keeps the Tars config for the application', () => {
    const file = confFile('Demo.WsServer.config.conf');
    const c = loadConfig({ env: {}, argv: ['-c', file], appDir: tempDir() });
    assert.equal(c.port, 8080);
    assert.equal(c.workers, 2);
    assert.equal(currentTarsConfig()?.file, file);
    loadConfig({ env: {} });
    assert.equal(currentTarsConfig(), undefined);
  });

  it('takes --config=FILE that is not JSON, whatever its name', () => {
    const file = confFile('server.config');
    assert.equal(resolveConfig({ env: {}, argv: [`--config=${file}`], appDir: tempDir() }).tars?.app, 'Demo');
  });

  it('takes TARS_CONFIG, with the environment and flags still winning', () => {
    const file = confFile('a.conf');
    const env = { TARS_CONFIG: file, WORKERS: '3' };
    const c = loadConfig({ env, argv: ['--port', '7000'], appDir: tempDir() });
    assert.equal(c.workers, 3);
    assert.equal(c.port, 7000);
    assert.equal(c.host, '10.0.0.5');
  });

  it('still reads a JSON --config as before', () => {
    const file = confFile('c.json', JSON.stringify({ port: 1234 }));
    const r = resolveConfig({ env: {}, argv: ['--config', file] });
    assert.equal(r.config.port, 1234);
    assert.equal(r.tars, undefined);
  });

  it("checks the app folder's descriptor against the config", () => {
    const appDir = tempDir();
    mkdirSync(join(appDir, 'tars'));
    writeFileSync(
      join(appDir, 'tars', 'tars.proto.json'),
      JSON.stringify({ ...DESCRIPTOR, appName: 'Other' }),
    );
    const err = errorOf(() => loadConfig({ env: {}, argv: ['-c', confFile('a.conf')], appDir }));
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /Other\.WsServer\.WsObj/);
  });

  it('refuses -c without a file', () => {
    assert.throws(() => loadConfig({ env: {}, argv: ['-c'] }), /needs a file/);
  });
});

describe('launcher command line', () => {
  it('reads <app dir> -c <conf> as tarsnode passes it', () => {
    assert.deepEqual(parseLauncherArgs(['/srv/bin', '-c', '/srv/conf/A.S.config.conf']), {
      appDir: '/srv/bin',
      confFile: '/srv/conf/A.S.config.conf',
    });
    assert.deepEqual(parseLauncherArgs(['--config=x.conf', 'app']), { appDir: 'app', confFile: 'x.conf' });
  });

  it('refuses a missing app dir or config', () => {
    assert.throws(() => parseLauncherArgs(['-c', 'x.conf']), /app dir/);
    assert.throws(() => parseLauncherArgs(['app']), /missing Tars config/);
  });
});
