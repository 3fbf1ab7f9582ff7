/**
 * The `tars-ws` command: `start` runs the app entry, `deploy` builds the Tars deploy package, `tars2ts` generates
 * TypeScript from .tars files. Usage in {@link USAGE}; exit code 0 on success, 1 when the work failed, 2 for bad usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deployPackage, type DeployOptions, type DependencyMode } from '../platform/tars/deploy.js';
import { DeployError } from '../platform/tars/deploy-errors.js';
import { formatDeployForm } from '../platform/tars/deploy-form.js';
import { main as tars2ts } from './tars2ts.js';

export const USAGE = `Usage: tars-ws <command> [options]

Commands:
  start [--entry FILE] [app options...]
        runs the app: FILE, else package.json's "tars-ws".entry in the current folder, else the chat demo;
        the remaining options go to the app (--port, --workers, --config ...)
  deploy [--root DIR] [--app DIR] [--entry FILE] [--out DIR] [--deps install|link|none] [--node FILE]
        builds <ServerName>_<YYYYMMDDHHMMSS>.tgz for the Tars platform (server type tars_nodejs)
        --root   the project folder (default: the current folder)
        --app    the app folder under the root, holding tars/tars.proto.json and clients/ (default: examples/chat)
        --entry  the app entry inside the package (default: dist/<app>/main.js)
        --out    where the archive goes (default: the root)
        --deps   production node_modules: npm ci --omit=dev (install, default), a symlink (link), none
        --node   a Node 20+ binary to ship as tars_nodejs/node, which tarsnode runs instead of PATH's node
                 (needed on tarsnode before v3.0.5); e.g. --node "$(command -v node)"
  tars2ts [options] FILE.tars...
        generates TypeScript from .tars files (tars-ws tars2ts --help)
`;

/** Exit codes of the CLI. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

/** Where the CLI writes. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const processIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

class UsageError extends Error {}

/** Reads `--name VALUE` / `--name=VALUE` pairs; every flag must be one of `known`. */
function parseFlags(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!known.includes(name)) throw new UsageError(`unknown option '${a}'`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

function dependencyMode(value: string | undefined): DependencyMode | undefined {
  if (value === undefined || value === 'install' || value === 'link' || value === 'none') return value;
  throw new UsageError(`--deps must be install, link or none, not '${value}'`);
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`;
}

async function deploy(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(USAGE);
    return ExitCode.Ok;
  }
  const flags = parseFlags(argv, ['--root', '--app', '--entry', '--out', '--deps', '--node']);
  const options: DeployOptions = {
    root: flags.get('--root') ?? process.cwd(),
    appDir: flags.get('--app'),
    entry: flags.get('--entry'),
    outDir: flags.get('--out'),
    dependencies: dependencyMode(flags.get('--deps')),
    node: flags.get('--node'),
    progress: (line) => io.stdout(`${line}\n`),
  };
  try {
    const result = await deployPackage(options);
    io.stdout(
      [
        '',
        `package: ${result.archive}`,
        `size:    ${formatBytes(result.bytes)} (${result.bytes} bytes), built in ${(result.ms / 1000).toFixed(1)} s`,
        '',
        ...formatDeployForm(result.form),
        '',
      ].join('\n'),
    );
    return ExitCode.Ok;
  } catch (err) {
    if (!(err instanceof DeployError)) throw err;
    io.stderr(`tars-ws deploy: ${err.message}\n`);
    return ExitCode.Failed;
  }
}

/** The app entry `start` runs: `--entry`, else the current folder's package.json "tars-ws".entry, else the demo. */
function startEntry(explicit: string | undefined): string {
  if (explicit !== undefined) return resolve(explicit);
  const manifest = join(process.cwd(), 'package.json');
  if (existsSync(manifest)) {
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { 'tars-ws'?: { entry?: unknown } };
    const entry = pkg['tars-ws']?.entry;
    if (typeof entry === 'string') return resolve(entry);
  }
  return fileURLToPath(new URL('../../examples/chat/main.js', import.meta.url));
}

async function start(argv: readonly string[]): Promise<number> {
  let explicit: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--entry') explicit = argv[++i];
    else if (a.startsWith('--entry=')) explicit = a.slice('--entry='.length);
    else rest.push(a);
  }
  const entry = startEntry(explicit);
  // The entry reads its options from process.argv as if it had been started directly.
  process.argv = [process.argv[0] ?? process.execPath, entry, ...rest];
  await import(pathToFileURL(entry).href);
  return ExitCode.Ok;
}

/** Runs the CLI; returns the exit code instead of exiting (`start` keeps running the app after it resolves). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'deploy':
        return await deploy(rest, io);
      case 'tars2ts':
        return tars2ts(rest, io);
      case '-h':
      case '--help':
        io.stdout(USAGE);
        return ExitCode.Ok;
      default:
        throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`tars-ws: ${err.message}\n\n${USAGE}`);
    return ExitCode.Usage;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
