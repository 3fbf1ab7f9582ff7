/**
 * The names one generated file uses: its own declarations (flat, module prefix dropped), what it imports from the
 * files generated for its includes (aliased `Module_Name` on a clash) and the runtime types it imports.
 */
import type { EnumDecl, InterfaceDecl, StructDecl, ConstDecl, SourcePos } from '../idl/ast.js';
import { TarsIdlError } from '../idl/errors.js';

type Decl = StructDecl | EnumDecl | ConstDecl | InterfaceDecl;

/** Identifiers that generated code uses for its own parameters and locals; a type may not take them. */
const INTERNAL = new Set([
  'w',
  'v',
  'r',
  't',
  'req',
  'args',
  'res',
  'impl',
  'result',
  'ctx',
  'options',
  'out',
]);
/** Runtime types generated code may import. */
export const RUNTIME_TYPES = [
  'CallOptions',
  'Invoker',
  'ServantCallContext',
  'ServantOperation',
  'TarsStructType',
];

export class Scope {
  readonly #local = new Map<Decl, string>();
  readonly #taken = new Map<string, SourcePos>();
  readonly #imports = new Map<string, Map<string, string>>();
  readonly #importedDecl = new Map<Decl, string>();
  readonly #runtime = new Set<string>();
  readonly #moduleOf: (decl: Decl) => string;

  /** @param moduleOf the generated module specifier (`./b.js`) of a declaration from another file. */
  constructor(moduleOf: (decl: Decl) => string) {
    this.#moduleOf = moduleOf;
    for (const n of RUNTIME_TYPES) this.#taken.set(n, { file: '<runtime>', line: 0, column: 0 });
  }

  /** Declares a top-level name of this file; fails on a clash (two modules in one file, or a reserved name). */
  declare(decl: Decl, name: string = decl.name): void {
    if (INTERNAL.has(name)) {
      throw new TarsIdlError(
        decl.pos,
        `tars2ts cannot name a type '${name}': generated code uses that identifier`,
      );
    }
    const prev = this.#taken.get(name);
    if (prev) {
      const where = prev.line === 0 ? 'a tars runtime type' : `${prev.file}:${prev.line}:${prev.column}`;
      throw new TarsIdlError(
        decl.pos,
        `'${name}' clashes with ${where} in the generated file; rename one of them`,
      );
    }
    this.#taken.set(name, decl.pos);
    if (name === decl.name) this.#local.set(decl, name);
  }

  /** The identifier to use for a declaration in this file, importing it if it lives in another file. */
  ref(decl: Decl): string {
    const local = this.#local.get(decl);
    if (local) return local;
    const known = this.#importedDecl.get(decl);
    if (known) return known;
    let alias = decl.name;
    if (this.#taken.has(alias)) alias = `${decl.module}_${decl.name}`;
    for (let i = 2; this.#taken.has(alias); i++) alias = `${decl.module}_${decl.name}${i}`;
    this.#taken.set(alias, decl.pos);
    this.#importedDecl.set(decl, alias);
    const from = this.#moduleOf(decl);
    let names = this.#imports.get(from);
    if (!names) this.#imports.set(from, (names = new Map()));
    names.set(decl.name, alias);
    return alias;
  }

  /** Marks a runtime type as used and returns its name. */
  runtime(name: (typeof RUNTIME_TYPES)[number]): string {
    this.#runtime.add(name);
    return name;
  }

  /** The import lines, runtime first, then generated modules by specifier. */
  importLines(runtimeSpec: string): string[] {
    const lines: string[] = [];
    if (this.#runtime.size > 0) {
      lines.push(`import type { ${[...this.#runtime].sort().join(', ')} } from ${q(runtimeSpec)};`);
    }
    for (const from of [...this.#imports.keys()].sort()) {
      const names = this.#imports.get(from) as Map<string, string>;
      const list = [...names]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, alias]) => (name === alias ? name : `${name} as ${alias}`));
      lines.push(`import { ${list.join(', ')} } from ${q(from)};`);
    }
    return lines;
  }
}

function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
