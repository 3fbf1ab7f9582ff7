// The deploy package: layout tarsnode expects, archive name, manifest, errors; built from a small fake project so
// the test needs neither tsc nor npm (the platform simulation test builds the real one).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/tars-ws.js';
import { deployPackage, type DeployOptions } from '../../src/platform/tars/deploy.js';
import { DeployError, DeployErrorCode } from '../../src/platform/tars/deploy-errors.js';
import { formatDeployForm } from '../../src/platform/tars/deploy-form.js';

const scratch = mkdtempSync(join(tmpdir(), 'tars-ws-deploy-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let seq = 0;

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A project with everything a deploy reads; `omit` leaves one file out. */
function fakeProject(omit?: string): string {
  const root = join(scratch, `project-${seq++}`);
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'tars-ws',
      version: '1.2.3',
      type: 'module',
      scripts: { build: 'tsc' },
      dependencies: { ws: '^8.0.0' },
      devDependencies: { typescript: '^6.0.0' },
    }),
    'package-lock.json': '{"lockfileVersion":3}',
    'examples/chat/tars/tars.proto.json': '{"appName":"Demo","serverName":"WsServer","objName":"WsObj"}',
    'examples/chat/tars/hello.tars': 'module TestApp {};',
    'examples/chat/clients/client1.html': '<html></html>',
    'src/http/admin/page/index.html': '<html></html>',
    'tars_nodejs/node-agent/bin/node-agent': '#!/usr/bin/env node\n',
    'node_modules/ws/package.json': '{"name":"ws"}',
  };
  for (const [path, text] of Object.entries(files)) if (path !== omit) write(join(root, path), text);
  return root;
}

const fakeCompile = (_root: string, stage: string): Promise<void> => {
  write(join(stage, 'dist/examples/chat/main.js'), 'export {};\n');
  write(join(stage, 'dist/src/index.js'), 'export {};\n');
  return Promise.resolve();
};

function options(root: string, extra: Partial<DeployOptions> = {}): DeployOptions {
  return { root, outDir: join(root, 'out'), compile: fakeCompile, dependencies: 'none', ...extra };
}

/** An executable shell script standing in for a Node binary. */
function nodeStandIn(body: string): string {
  const file = join(scratch, `node-${seq++}`);
  write(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Unpacks `archive` into a fresh folder and returns it. */
function unpack(archive: string): string {
  const dir = join(scratch, `unpacked-${seq++}`);
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  return dir;
}

describe('deploy package', () => {
  it('is named <ServerName>_<YYYYMMDDHHMMSS>.tgz from the local time', async () => {
    const root = fakeProject();
    const now = new Date(2026, 10, 27, 9, 5, 7);
    const result = await deployPackage(options(root, { now }));
    assert.equal(result.archive, join(root, 'out', 'WsServer_20261127090507.tgz'));
    assert.ok(result.bytes > 0);
    assert.equal(readFileSync(result.archive).length, result.bytes);
  });

  it('nests <Server>/<Server>/ as @tars/deploy does, holding src/ and tars_nodejs/ only', async () => {
    // tarsnode before v3.0.4 copies <extract>/<Server>/<Server>/ into bin/; later ones descend while a folder holds
    // one sub-folder, and stop at the same place because it holds two.
    const root = fakeProject();
    const dir = unpack((await deployPackage(options(root))).archive);
    assert.deepEqual(readdirSync(dir), ['WsServer']);
    assert.deepEqual(readdirSync(join(dir, 'WsServer')), ['WsServer']);
    assert.deepEqual(readdirSync(join(dir, 'WsServer', 'WsServer')).sort(), ['src', 'tars_nodejs']);
  });

  it('puts the app in src/, where tarsnode before v3.0.5 starts the launcher, and the launcher beside it', async () => {
    const root = fakeProject();
    const dir = unpack((await deployPackage(options(root))).archive);
    const top = join(dir, 'WsServer', 'WsServer');
    for (const path of [
      'src/package.json',
      'src/package-lock.json',
      'src/dist/examples/chat/main.js',
      'src/dist/src/index.js',
      'src/tars/tars.proto.json',
      'src/tars/hello.tars',
      'src/examples/chat/clients/client1.html',
      'src/src/http/admin/page/index.html',
      'tars_nodejs/node-agent/bin/node-agent',
    ]) {
      assert.ok(existsSync(join(top, path)), `${path} is in the package`);
    }
    assert.equal(existsSync(join(top, 'tars_nodejs', 'node')), false, 'no Node binary unless asked');
  });

  it('ships a Node binary as tars_nodejs/node, executable, when given one', async () => {
    // A two-line stand-in for the 100 MB binary: packing the real one takes seconds.
    const node = nodeStandIn(`exec '${process.execPath}' "$@"`);
    const dir = unpack((await deployPackage(options(fakeProject(), { node }))).archive);
    const shipped = join(dir, 'WsServer', 'WsServer', 'tars_nodejs', 'node');
    assert.equal(
      execFileSync(shipped, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim(),
      process.versions.node,
    );
  });

  it('refuses a Node binary older than 20, naming its version', async () => {
    const old = nodeStandIn('echo 18.20.4');
    await assert.rejects(
      deployPackage(options(fakeProject(), { node: old })),
      (err: unknown) =>
        err instanceof DeployError &&
        err.code === DeployErrorCode.NodeBinary &&
        /Node 18: tars-ws needs Node 20/.test(err.message),
    );
  });

  it('refuses a --node file that is not a Node binary', async () => {
    const notNode = join(scratch, `node-${seq++}`);
    write(notNode, 'just text');
    await assert.rejects(
      deployPackage(options(fakeProject(), { node: notNode })),
      (err: unknown) =>
        err instanceof DeployError &&
        err.code === DeployErrorCode.NodeBinary &&
        /not a working Node binary/.test(err.message),
    );
  });

  it('ships a package.json whose "tars-ws".entry and main name the app entry, without dev dependencies', async () => {
    const root = fakeProject();
    const dir = unpack((await deployPackage(options(root))).archive);
    const pkg = JSON.parse(
      readFileSync(join(dir, 'WsServer', 'WsServer', 'src', 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    assert.deepEqual(pkg['tars-ws'], { entry: 'dist/examples/chat/main.js' });
    assert.equal(pkg.main, 'dist/examples/chat/main.js');
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.version, '1.2.3');
    assert.deepEqual(pkg.dependencies, { ws: '^8.0.0' });
    assert.equal(pkg.devDependencies, undefined);
  });

  it('links node_modules when asked to, for packages unpacked on the same machine', async () => {
    const root = fakeProject();
    const dir = unpack((await deployPackage(options(root, { dependencies: 'link' }))).archive);
    const modules = join(dir, 'WsServer', 'WsServer', 'src', 'node_modules');
    assert.ok(lstatSync(modules).isSymbolicLink());
    assert.ok(existsSync(join(modules, 'ws', 'package.json')));
  });

  it('reports each step and the platform form with both adapters and their protocols', async () => {
    const lines: string[] = [];
    const result = await deployPackage(options(fakeProject(), { progress: (l) => lines.push(l) }));
    assert.equal(lines.length, 5);
    assert.match(lines[0] ?? '', /^\[1\/5\] compiling/);
    assert.equal(result.form.serverType, 'tars_nodejs');
    assert.equal(result.form.template, 'tars.nodejs.default');
    assert.deepEqual(
      result.form.adapters.map((a) => [a.servant, a.protocol]),
      [
        ['Demo.WsServer.WsObj', 'not tars'],
        ['Demo.WsServer.PushObj', 'tars'],
      ],
    );
    const text = formatDeployForm(result.form).join('\n');
    assert.match(text, /server type: +tars_nodejs/);
    assert.match(text, /threads = the number of worker processes/);
  });

  it('refuses a project without tars/tars.proto.json, naming the file', async () => {
    const root = fakeProject('examples/chat/tars/tars.proto.json');
    await assert.rejects(
      deployPackage(options(root)),
      (err: unknown) =>
        err instanceof DeployError &&
        err.code === DeployErrorCode.Descriptor &&
        /tars\.proto\.json/.test(err.message),
    );
  });

  it('refuses a descriptor whose serverName is not a plain name', async () => {
    const root = fakeProject();
    write(
      join(root, 'examples/chat/tars/tars.proto.json'),
      '{"appName":"Demo","serverName":"../x","objName":"O"}',
    );
    await assert.rejects(
      deployPackage(options(root)),
      (err: unknown) => err instanceof DeployError && /serverName/.test(err.message),
    );
  });

  it('refuses a project without the launcher, since tarsnode starts the service through it', async () => {
    const root = fakeProject('tars_nodejs/node-agent/bin/node-agent');
    await assert.rejects(
      deployPackage(options(root)),
      (err: unknown) =>
        err instanceof DeployError &&
        err.code === DeployErrorCode.MissingFile &&
        /node-agent/.test(err.message),
    );
    assert.equal(existsSync(join(root, 'out')), false);
  });
});

describe('tars-ws CLI', () => {
  const io = (): {
    out: string[];
    err: string[];
    io: { stdout: (s: string) => void; stderr: (s: string) => void };
  } => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s) } };
  };

  it('exits 2 with the usage for an unknown command', async () => {
    const t = io();
    assert.equal(await main(['frobnicate'], t.io), 2);
    assert.match(t.err.join(''), /unknown command 'frobnicate'[\s\S]*Usage: tars-ws/);
  });

  it('exits 2 for a --deps value it does not know', async () => {
    const t = io();
    assert.equal(await main(['deploy', '--deps', 'copy'], t.io), 2);
    assert.match(t.err.join(''), /--deps must be install, link or none/);
  });

  it('exits 1 with the reason when the project cannot be packaged', async () => {
    const t = io();
    const root = fakeProject('examples/chat/tars/tars.proto.json');
    assert.equal(await main(['deploy', '--root', root, '--deps', 'none'], t.io), 1);
    assert.match(t.err.join(''), /^tars-ws deploy: .*tars\.proto\.json is missing/);
  });

  it('prints the usage for deploy --help', async () => {
    const t = io();
    assert.equal(await main(['deploy', '--help'], t.io), 0);
    assert.match(t.out.join(''), /deploy \[--root DIR\]/);
  });

  it('hands tars2ts its arguments', async () => {
    const t = io();
    assert.equal(await main(['tars2ts', '--help'], t.io), 0);
    assert.match(t.out.join(''), /Usage: tars2ts/);
  });
});
