/**
 * Semantic checks over a set of parsed files: resolves every type and enumerator reference (filling `decl` and
 * `enumValue` in the tree), computes enum values, and rejects unknown or invisible names, redefinitions, defaults of
 * the wrong type or range, bad `key[...]` declarations and structs that contain themselves.
 */
import type {
  ConstDecl,
  EnumDecl,
  EnumMember,
  EnumRef,
  InterfaceDecl,
  Literal,
  SourcePos,
  StructDecl,
  TarsFile,
  TarsType,
} from './ast.js';
import { TarsIdlError } from './errors.js';

type NamedDecl = StructDecl | EnumDecl | ConstDecl | InterfaceDecl;
interface EnumeratorEntry {
  readonly decl: EnumDecl;
  readonly member: EnumMember;
}

const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  byte: [-(2n ** 7n), 2n ** 7n - 1n],
  short: [-(2n ** 15n), 2n ** 15n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  'unsigned byte': [0n, 2n ** 8n - 1n],
  'unsigned short': [0n, 2n ** 16n - 1n],
  'unsigned int': [0n, 2n ** 32n - 1n],
};

/**
 * Checks `files` as one program. `visible(file)` lists the files whose declarations `file` may use (itself and
 * what it includes, transitively). Throws the first {@link TarsIdlError}.
 */
export function checkProgram(
  files: readonly TarsFile[],
  visible: (file: string) => ReadonlySet<string>,
): void {
  new Checker(files, visible).run();
}

class Checker {
  readonly #files: readonly TarsFile[];
  readonly #visible: (file: string) => ReadonlySet<string>;
  readonly #decls = new Map<string, NamedDecl>();
  readonly #enumerators = new Map<string, EnumeratorEntry>();

  constructor(files: readonly TarsFile[], visible: (file: string) => ReadonlySet<string>) {
    this.#files = files;
    this.#visible = visible;
  }

  run(): void {
    const all = this.#files.flatMap((f) => f.modules.flatMap((m) => m.definitions));
    for (const d of all) {
      if (d.kind === 'key') continue;
      const id = `${d.module}::${d.name}`;
      const prev = this.#decls.get(id);
      if (prev)
        this.#fail(d.pos, `'${d.name}' is already defined in module '${d.module}' at ${at(prev.pos)}`);
      this.#decls.set(id, d);
    }
    for (const f of this.#files) {
      for (const m of f.modules) {
        for (const d of m.definitions) {
          if (d.kind === 'enum') this.#checkEnum(d);
        }
      }
    }
    for (const f of this.#files) {
      for (const m of f.modules) {
        for (const d of m.definitions) {
          switch (d.kind) {
            case 'struct':
              for (const mem of d.members) {
                this.#resolveType(mem.type, d.module, d.file);
                if (mem.defaultValue)
                  this.#checkValue(mem.defaultValue, mem.type, d.module, d.file, `member '${mem.name}'`);
              }
              break;
            case 'const':
              this.#resolveType(d.type, d.module, d.file);
              this.#checkValue(d.value, d.type, d.module, d.file, `const '${d.name}'`);
              break;
            case 'interface':
              for (const op of d.operations) {
                if (op.returnType) this.#resolveType(op.returnType, d.module, d.file);
                for (const p of op.params) this.#resolveType(p.type, d.module, d.file);
              }
              break;
            case 'key': {
              const target = this.#lookup(d.struct, m.name, f.path, d.pos);
              if (target.kind !== 'struct')
                this.#fail(d.pos, `key[${d.struct}, ...] must name a struct, not ${kindName(target)}`);
              for (const field of d.fields) {
                if (!target.members.some((x) => x.name === field)) {
                  this.#fail(d.pos, `struct '${target.name}' has no member '${field}' for key[...]`);
                }
              }
              if (target.key) this.#fail(d.pos, `struct '${target.name}' already has a key`);
              target.key = d.fields;
              break;
            }
            case 'enum':
              break;
          }
        }
      }
    }
    for (const d of this.#decls.values()) if (d.kind === 'struct') this.#checkNoSelfContainment(d, [d]);
  }

  #checkEnum(e: EnumDecl): void {
    let next = 0n;
    for (const m of e.members) {
      let v = next;
      if (m.init) {
        if (m.init.kind === 'int') v = m.init.value;
        else if (m.init.kind === 'enumRef')
          v = BigInt(this.#resolveEnumRef(m.init, e.module, e.file).member.value);
        else this.#fail(m.init.pos, `enumerator '${m.name}' must be an integer or an earlier enumerator`);
      }
      const [lo, hi] = INT_RANGES.int as readonly [bigint, bigint];
      if (v < lo || v > hi) this.#fail(m.pos, `enumerator '${m.name}' = ${v} does not fit in an int`);
      m.value = Number(v);
      next = v + 1n;
      const id = `${e.module}::${m.name}`;
      const prev = this.#enumerators.get(id);
      if (prev)
        this.#fail(
          m.pos,
          `enumerator '${m.name}' is already defined in module '${e.module}' (enum '${prev.decl.name}')`,
        );
      this.#enumerators.set(id, { decl: e, member: m });
    }
  }

  #resolveType(t: TarsType, module: string, file: string): void {
    switch (t.kind) {
      case 'primitive':
        return;
      case 'vector':
        return this.#resolveType(t.item, module, file);
      case 'map':
        this.#resolveType(t.key, module, file);
        return this.#resolveType(t.value, module, file);
      case 'named': {
        const d = this.#lookup(t.name, module, file, t.pos);
        if (d.kind !== 'struct' && d.kind !== 'enum')
          this.#fail(t.pos, `'${t.name}' is ${kindName(d)}, not a type`);
        t.decl = d;
      }
    }
  }

  #lookup(name: string, module: string, file: string, pos: SourcePos): NamedDecl {
    const parts = name.split('::');
    if (parts.length > 2) this.#fail(pos, `'${name}' has too many '::' parts for a type name`);
    const id = parts.length === 2 ? name : `${module}::${name}`;
    const d = this.#decls.get(id);
    if (!d) this.#fail(pos, `unknown type '${name}'${parts.length === 1 ? ` in module '${module}'` : ''}`);
    if (!this.#visible(file).has(d.file)) {
      this.#fail(pos, `'${name}' is declared in ${d.pos.file}, which this file does not #include`);
    }
    return d;
  }

  /** `N`, `Mod::N`, `Enum::N` or `Mod::Enum::N`. */
  #resolveEnumRef(ref: EnumRef, module: string, file: string): EnumeratorEntry {
    const parts = ref.name.split('::');
    const candidates: string[] = [];
    if (parts.length === 1) candidates.push(`${module}::${ref.name}`);
    if (parts.length === 2) candidates.push(ref.name, `${module}::${parts[1]}@${parts[0]}`);
    if (parts.length === 3) candidates.push(`${parts[0]}::${parts[2]}@${parts[1]}`);
    for (const c of candidates) {
      const [id, enumName] = c.split('@') as [string, string | undefined];
      const entry = this.#enumerators.get(id);
      if (!entry || (enumName !== undefined && entry.decl.name !== enumName)) continue;
      if (!this.#visible(file).has(entry.decl.file)) {
        this.#fail(
          ref.pos,
          `'${ref.name}' is declared in ${entry.decl.pos.file}, which this file does not #include`,
        );
      }
      ref.enumValue = entry;
      return entry;
    }
    return this.#fail(ref.pos, `unknown enumerator '${ref.name}'`);
  }

  #checkValue(v: Literal, t: TarsType, module: string, file: string, what: string): void {
    const mismatch = (expected: string): never =>
      this.#fail(v.pos, `default of ${what} must be ${expected}, found ${describeLiteral(v)}`);
    if (t.kind === 'vector' || t.kind === 'map')
      this.#fail(v.pos, `${what} of type ${t.kind} cannot have a default value`);
    if (t.kind === 'named') {
      const d = t.decl as StructDecl | EnumDecl;
      if (d.kind === 'struct')
        this.#fail(v.pos, `${what} of struct type '${t.name}' cannot have a default value`);
      if (v.kind === 'enumRef') {
        const e = this.#resolveEnumRef(v, module, file);
        if (e.decl !== d)
          this.#fail(v.pos, `'${v.name}' is an enumerator of '${e.decl.name}', not of '${d.name}'`);
        return;
      }
      if (v.kind === 'int') return this.#checkRange(v.value, 'int', v.pos, what);
      return mismatch(`an enumerator of '${d.name}'`);
    }
    if (t.kind !== 'primitive') return;
    switch (t.name) {
      case 'bool':
        if (v.kind !== 'bool') mismatch('true or false');
        return;
      case 'string':
        if (v.kind !== 'string') mismatch('a string');
        return;
      case 'float':
      case 'double':
        if (v.kind !== 'int' && v.kind !== 'float') mismatch('a number');
        return;
      default:
        if (v.kind !== 'int') return mismatch(`an integer (${t.name})`);
        return this.#checkRange(v.value, t.name, v.pos, what);
    }
  }

  #checkRange(value: bigint, type: string, pos: SourcePos, what: string): void {
    const [lo, hi] = INT_RANGES[type] as readonly [bigint, bigint];
    if (value < lo || value > hi)
      this.#fail(pos, `default of ${what} (${value}) is out of range for ${type} (${lo}..${hi})`);
  }

  /** A struct may hold itself through a vector or map, never directly: its default value would be infinite. */
  #checkNoSelfContainment(s: StructDecl, path: StructDecl[]): void {
    for (const m of s.members) {
      if (m.type.kind !== 'named' || m.type.decl?.kind !== 'struct') continue;
      const inner = m.type.decl;
      if (inner === path[0]) {
        const chain = [...path.map((p) => p.name), inner.name].join(' -> ');
        this.#fail(
          m.pos,
          `struct '${inner.name}' contains itself (${chain}); use a vector or map for recursion`,
        );
      }
      if (!path.includes(inner)) this.#checkNoSelfContainment(inner, [...path, inner]);
    }
  }

  #fail(pos: SourcePos, msg: string): never {
    throw new TarsIdlError(pos, msg);
  }
}

function at(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}

function kindName(d: NamedDecl): string {
  return d.kind === 'interface' ? `an interface` : `a ${d.kind}`;
}

function describeLiteral(v: Literal): string {
  switch (v.kind) {
    case 'bool':
      return String(v.value);
    case 'string':
      return `string ${JSON.stringify(v.value)}`;
    case 'enumRef':
      return `'${v.name}'`;
    default:
      return v.text;
  }
}
