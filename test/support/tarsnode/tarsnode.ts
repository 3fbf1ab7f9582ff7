/**
 * What tarsnode does with a `tars_nodejs` package (tars-platform spec section 4, TarsFramework's CommandPatch and
 * CommandStart), step by step, for the three generations that differ:
 * - before v3.0.4: unpack the .tgz, copy `<extract>/<Server>/<Server>/` into `<serverDir>/bin/`, start
 *   `<bin>/tars_nodejs/node <bin>/tars_nodejs/node-agent/bin/node-agent <bin>/src/ -c <conf>`;
 * - v3.0.4: unpack, descend while the folder holds exactly one sub-folder, copy its contents into bin/; start as
 *   before;
 * - v3.0.5 and later: unpack and descend; start with the folder of the first package.json under bin/ (skipping
 *   node_modules and tars_nodejs), and `node` from the PATH when `<bin>/tars_nodejs/node` is missing.
 * The start runs from the log folder with `<serverDir>/conf/<App>.<Server>.config.conf`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Which tarsnode to behave like (see the module comment). */
export type TarsnodeGeneration = 'before-3.0.4' | '3.0.4' | '3.0.5+';

/** A package copied into a server folder the way tarsnode does it. */
export interface InstalledPackage {
  generation: TarsnodeGeneration;
  serverDir: string;
  binDir: string;
  /** The launcher's first argument: `<bin>/src/` before v3.0.5, else the folder of the first package.json. */
  appDir: string;
  /** `<bin>/tars_nodejs/node-agent/bin/node-agent`. */
  launcher: string;
  /** The binary tarsnode runs: `<bin>/tars_nodejs/node`, or (v3.0.5+ only, when that is missing) PATH's node. */
  node: string;
}

/** Unpacks `archive` and copies it into `<serverDir>/bin/` (tarsnode's CommandPatch of that generation). */
export async function installPackage(
  archive: string,
  serverDir: string,
  serverName: string,
  generation: TarsnodeGeneration = '3.0.5+',
): Promise<InstalledPackage> {
  const unpacked = await mkdtemp(join(tmpdir(), 'tarsnode-unpack-'));
  const binDir = join(serverDir, 'bin');
  try {
    await run('tar', ['-xzf', archive, '-C', unpacked]);
    let top = join(unpacked, serverName, serverName);
    if (generation === 'before-3.0.4') {
      if (!existsSync(top))
        throw new Error(`tarsnode before v3.0.4: no ${serverName}/${serverName}/ in ${archive}`);
    } else {
      top = unpacked;
      for (;;) {
        // Hidden entries are ignored (v3.0.5+ lists without them; a package made on macOS may hold ._ files).
        const entries = (await readdir(top, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
        const only = entries.length === 1 ? entries[0] : undefined;
        if (only === undefined || !only.isDirectory()) break;
        top = join(top, only.name);
      }
    }
    await mkdir(binDir, { recursive: true });
    // verbatimSymlinks: a node_modules link made by `deploy --deps link` stays a link to the project's folder.
    await cp(top, binDir, { recursive: true, verbatimSymlinks: true });
  } finally {
    await rm(unpacked, { recursive: true, force: true });
  }
  const tarsNodejs = join(binDir, 'tars_nodejs');
  const bundled = join(tarsNodejs, 'node');
  let appDir: string | undefined;
  let node = bundled;
  if (generation === '3.0.5+') {
    appDir = findPackageDir(binDir);
    if (appDir === undefined) throw new Error(`tarsnode: no package.json under ${binDir}`);
    if (!existsSync(bundled)) node = process.execPath;
  } else {
    appDir = join(binDir, 'src') + '/';
  }
  return {
    generation,
    serverDir,
    binDir,
    appDir,
    launcher: join(tarsNodejs, 'node-agent', 'bin', 'node-agent'),
    node,
  };
}

/** The folder of the first package.json under `dir`, breadth first, skipping node_modules and tars_nodejs. */
function findPackageDir(dir: string): string | undefined {
  const queue = [dir];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (existsSync(join(next, 'package.json'))) return next;
    for (const name of readdirSync(next).sort()) {
      if (name === 'node_modules' || name === 'tars_nodejs') continue;
      const p = join(next, name);
      if (statSync(p).isDirectory()) queue.push(p);
    }
  }
  return undefined;
}

export { freePort } from '../free-port.js';

/** What the config file says; every endpoint is on 127.0.0.1. */
export interface ServerConfigSpec {
  app: string;
  server: string;
  /** The WebSocket/HTTP object (not tars) and the push object (tars). */
  wsObj: string;
  pushObj: string;
  locator: string;
  node: string;
  stat: string;
  property: string;
  localPort: number;
  wsPort: number;
  pushPort: number;
  /** The not-tars adapter's threads: the worker count. */
  threads: number;
  reportIntervalMs: number;
  serverDir: string;
  logPath: string;
  deactivatingTimeoutMs: number;
}

/** The config file tarsnode writes for the server (format of the spec's example). */
export function serverConfigText(s: ServerConfigSpec): string {
  const name = `${s.app}.${s.server}`;
  const ep = (port: number): string => `tcp -h 127.0.0.1 -p ${port} -t 60000`;
  return `<tars>
  <application>
    enableset=n
    setdivision=NULL
    <client>
      locator=${s.locator}
      sync-invoke-timeout=3000
      async-invoke-timeout=5000
      refresh-endpoint-interval=60000
      stat=${s.stat}
      property=${s.property}
      report-interval=${s.reportIntervalMs}
      asyncthread=3
      modulename=${name}
    </client>
    <server>
      app=${s.app}
      server=${s.server}
      localip=127.0.0.1
      local=${ep(s.localPort)}
      basepath=${join(s.serverDir, 'bin')}/
      datapath=${join(s.serverDir, 'data')}/
      logpath=${s.logPath}
      logsize=10M
      logLevel=DEBUG
      deactivating-timeout=${s.deactivatingTimeoutMs}
      node=${s.node}
      <${name}.${s.wsObj}Adapter>
        allow
        endpoint=${ep(s.wsPort)}
        maxconns=10240
        protocol=not_tars
        queuecap=10000
        queuetimeout=60000
        servant=${name}.${s.wsObj}
        threads=${s.threads}
      </${name}.${s.wsObj}Adapter>
      <${name}.${s.pushObj}Adapter>
        allow
        endpoint=${ep(s.pushPort)}
        maxconns=10240
        protocol=tars
        queuecap=10000
        queuetimeout=60000
        servant=${name}.${s.pushObj}
        threads=1
      </${name}.${s.pushObj}Adapter>
    </server>
  </application>
</tars>
`;
}

/** Pids of every descendant of `pid` (Linux /proc), children first. */
export function descendantPids(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // The process ended while we listed.
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** Whether a process with this pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The launcher as tarsnode started it. */
export interface StartedServer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far (the launcher's own output; the app logs under logpath). */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the launcher's process group (the launcher and every worker it forked). */
  kill(): void;
}

/**
 * Starts the launcher from `logDir` with tarsnode's command line, on `pkg.node` (PATH's node is this test's node).
 * `env` adds to this process's environment (test knobs such as TARS_WS_STAT_MIN_INTERVAL_MS).
 */
export function startServer(
  pkg: InstalledPackage,
  confFile: string,
  logDir: string,
  env: Record<string, string> = {},
): StartedServer {
  // detached: its own process group, so that kill() reaches the workers too even if the launcher is gone.
  const child = spawn(pkg.node, [pkg.launcher, pkg.appDir, '-c', confFile], {
    cwd: logDir,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const chunks: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => chunks.push(c));
  const pid = child.pid;
  if (pid === undefined) throw new Error('tarsnode: the launcher did not start');
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const kill = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // Also on the test process's own exit: workers may outlive a crashed launcher.
  process.once('exit', kill);
  return { child, pid, output: () => chunks.join(''), exited, kill };
}
