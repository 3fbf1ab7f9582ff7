/**
 * Running the outside commands of a deploy (tsc, npm ci, tar) and naming the archive. The archive is made with the
 * system `tar` because no tar library is among the project's dependencies; GNU and BSD tar both take the flags used.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DeployError, DeployErrorCode } from './deploy-errors.js';

/** `<ServerName>_<YYYYMMDDHHMMSS>.tgz` in local time, like the original's `date('YmdHis')`. */
export function archiveName(serverName: string, now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}` +
    `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `${serverName}_${stamp}.tgz`;
}

/** Runs `file args` in `cwd`; rejects with a {@link DeployError} holding the command's output. */
export function run(file: string, args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) {
        resolve();
        return;
      }
      const output = `${stdout}${stderr}`.trim();
      reject(
        new DeployError(
          DeployErrorCode.Command,
          `${[file, ...args].join(' ')} failed: ${output || err.message}`,
          {
            cause: err,
          },
        ),
      );
    });
  });
}

/** Packs `<parent>/<folder>` as `archive` (gzip), the folder as the one top entry. */
export function packFolder(parent: string, folder: string, archive: string): Promise<void> {
  return run('tar', ['-czf', archive, '-C', parent, folder], parent);
}

/** Bound on `<node> -p ...` when checking a Node binary to ship. */
const NODE_CHECK_TIMEOUT_MS = 10_000;

/** The major version of the Node binary `file`, by running it; a {@link DeployError} when it does not run. */
export function nodeMajorVersion(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      ['-p', 'process.versions.node'],
      { timeout: NODE_CHECK_TIMEOUT_MS, env: { ...process.env, NODE_OPTIONS: '' } },
      (err, stdout) => {
        const major = Number(/^(\d+)\./.exec(stdout.trim())?.[1]);
        if (err === null && Number.isInteger(major)) {
          resolve(major);
          return;
        }
        const why = err === null ? `printed '${stdout.trim()}'` : err.message;
        reject(
          new DeployError(DeployErrorCode.NodeBinary, `--node ${file} is not a working Node binary: ${why}`, {
            cause: err ?? undefined,
          }),
        );
      },
    );
  });
}

/**
 * Compiles the project into `<outDir>/dist` with its tsconfig.build.json, by the project's own TypeScript. Not
 * incremental: the build info file (dist/.tsbuildinfo) belongs to the project's own dist/; an incremental build
 * elsewhere would overwrite it, and `npm start` would then take a stale dist/ for up to date.
 */
export function compileProject(root: string, outDir: string): Promise<void> {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return run(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', join(outDir, 'dist'), '--incremental', 'false'],
    root,
  );
}

/** npm's CLI script next to this node, so a deploy works where `npm` is not on PATH; else PATH's npm. */
function npmCommand(): { file: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && execPath.endsWith('.js')) return { file: process.execPath, args: [execPath] };
  return { file: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

/**
 * Installs production dependencies from the lock file into `dir`. `--prefer-offline` uses npm's cache first;
 * `--ignore-scripts` because nothing we ship needs an install script and a package must not run code at pack time.
 */
export function installProductionDeps(dir: string): Promise<void> {
  const npm = npmCommand();
  return run(
    npm.file,
    [...npm.args, 'ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
    dir,
  );
}
