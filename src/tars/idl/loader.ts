/**
 * Loads .tars files with their `#include`s (resolved relative to the including file, each file parsed once, cycles
 * allowed) and checks them as one program.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { SourcePos, TarsFile } from './ast.js';
import { checkProgram } from './checker.js';
import { TarsIdlError } from './errors.js';
import { parseTars } from './parser.js';

/** A checked set of .tars files. */
export interface TarsProgram {
  /** Every loaded file, each once; a file's includes come before it (except inside an include cycle). */
  readonly files: readonly TarsFile[];
  /** The files asked for, in the order given. */
  readonly roots: readonly TarsFile[];
  /** The file at an absolute path, if loaded. */
  file(path: string): TarsFile | undefined;
}

/** Options of {@link loadTarsProgram}. */
export interface LoadOptions {
  /** Reads a file (default: `fs.readFileSync(path, 'utf8')`). Tests pass an in-memory map. */
  readFile?: (absolutePath: string) => string;
  /** The name positions and messages show for a file (default: relative to the current directory). */
  displayName?: (absolutePath: string) => string;
}

/**
 * Parses and checks `paths` and everything they include. Throws {@link TarsIdlError} for the first problem, an
 * unreadable file included (reported at the `#include` or, for a root, at `file:1:1`).
 */
export function loadTarsProgram(paths: readonly string[], options: LoadOptions = {}): TarsProgram {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const display = options.displayName ?? defaultDisplayName;
  const byPath = new Map<string, TarsFile>();
  const order: TarsFile[] = [];

  const load = (abs: string, from: SourcePos | undefined): TarsFile => {
    const known = byPath.get(abs);
    if (known) return known;
    let source: string;
    try {
      source = read(abs);
    } catch (err) {
      const why =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String((err as Error).message);
      throw new TarsIdlError(
        from ?? { file: display(abs), line: 1, column: 1 },
        `cannot read ${display(abs)}: ${why}`,
        {
          cause: err,
        },
      );
    }
    const file = parseTars(source, abs, display(abs));
    byPath.set(abs, file);
    for (const inc of file.includes) {
      inc.resolved = resolve(dirname(abs), inc.path);
      load(inc.resolved, inc.pos);
    }
    order.push(file);
    return file;
  };

  const roots = paths.map((p) => load(resolve(p), undefined));

  const visibleCache = new Map<string, ReadonlySet<string>>();
  const visible = (path: string): ReadonlySet<string> => {
    let set = visibleCache.get(path);
    if (set) return set;
    const seen = new Set<string>();
    const walk = (p: string) => {
      if (seen.has(p)) return;
      seen.add(p);
      for (const inc of byPath.get(p)?.includes ?? []) if (inc.resolved) walk(inc.resolved);
    };
    walk(path);
    set = seen;
    visibleCache.set(path, set);
    return set;
  };
  checkProgram(order, visible);
  return { files: order, roots, file: (p) => byPath.get(p) };
}

function defaultDisplayName(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}
