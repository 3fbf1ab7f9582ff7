/**
 * `tars2ts`: generates strict ESM TypeScript from .tars files. Usage in {@link USAGE}; exit code 0 on success, 1 for
 * an error in a .tars file, 2 for bad usage or an output that cannot be written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_IMPORT_FROM, generateTypeScript } from '../tars/codegen/index.js';
import { loadTarsProgram, TarsIdlError } from '../tars/idl/index.js';

export const USAGE = `Usage: tars2ts [--out DIR] [--with-servant] [--import-from SPEC] [--binary-strings NAMES] FILE.tars...

Generates one TypeScript file per .tars file (included files too), named after it: hello.tars -> hello.ts.

Options:
  --out DIR           write the files to DIR (default: the current directory); created if missing
  --with-servant      also generate an abstract <Interface>Servant base for each interface
  --import-from SPEC  module the generated code imports the Tars runtime types from
                      (default: ${DEFAULT_IMPORT_FROM}); written verbatim, so a relative SPEC is
                      relative to the output directory, e.g. ../../src/tars/index.js
  --binary-strings NAMES
                      comma-separated string fields, parameters and return values to map to
                      Uint8Array (raw bytes, no UTF-8): Module.Struct.field,
                      Module.Interface.operation.param, Module.Interface.operation.return;
                      may be repeated
  -h, --help          show this help
`;

/** Exit codes of the CLI. */
export const ExitCode = { Ok: 0, IdlError: 1, Usage: 2 } as const;

interface CliArgs {
  out: string;
  withServant: boolean;
  importFrom: string | undefined;
  binaryStrings: string[];
  files: string[];
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    out: '.',
    withServant: false,
    importFrom: undefined,
    binaryStrings: [],
    files: [],
    help: false,
  };
  const addBinary = (list: string): void => {
    for (const n of list.split(',')) if (n.trim() !== '') args.binaryStrings.push(n.trim());
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') args.help = true;
    else if (a === '--with-servant') args.withServant = true;
    else if (a === '--out') args.out = value();
    else if (a.startsWith('--out=')) args.out = a.slice('--out='.length);
    else if (a === '--import-from') args.importFrom = value();
    else if (a.startsWith('--import-from=')) args.importFrom = a.slice('--import-from='.length);
    else if (a === '--binary-strings') addBinary(value());
    else if (a.startsWith('--binary-strings=')) addBinary(a.slice('--binary-strings='.length));
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else args.files.push(a);
  }
  if (!args.help && args.files.length === 0) throw new UsageError('no .tars file given');
  return args;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export function main(
  argv: readonly string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  },
): number {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`tars2ts: ${err.message}\n\n${USAGE}`);
    return ExitCode.Usage;
  }
  if (args.help) {
    io.stdout(USAGE);
    return ExitCode.Ok;
  }
  const outDir = resolve(args.out);
  let files;
  try {
    const program = loadTarsProgram(args.files);
    files = generateTypeScript(program, {
      outDir,
      withServant: args.withServant,
      ...(args.importFrom !== undefined ? { importFrom: args.importFrom } : {}),
      ...(args.binaryStrings.length > 0 ? { binaryStrings: args.binaryStrings } : {}),
    });
  } catch (err) {
    if (!(err instanceof TarsIdlError)) throw err;
    io.stderr(`${err.message}\n`);
    return ExitCode.IdlError;
  }
  try {
    mkdirSync(outDir, { recursive: true });
    for (const f of files) writeFileSync(join(outDir, f.name), f.content);
  } catch (err) {
    io.stderr(`tars2ts: cannot write to ${outDir}: ${(err as Error).message}\n`);
    return ExitCode.Usage;
  }
  for (const f of files) io.stdout(`${join(args.out, f.name)}\n`);
  return ExitCode.Ok;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
