/**
 * `--binary-strings`: the struct fields, parameters and return values whose `string` values tars2ts maps to
 * `Uint8Array`, read and written byte for byte, for peers that put raw bytes in Tars strings. Names are resolved
 * against the program up front, so a typo fails generation instead of silently leaving a field a `string`.
 */
import type { InterfaceDecl, Operation, Param, StructDecl, StructMember, TarsType } from '../idl/ast.js';
import { TarsIdlError } from '../idl/errors.js';
import type { TarsProgram } from '../idl/loader.js';

/** What a name can mark binary: a struct field, an operation parameter, or an operation's return value. */
export type BinaryTarget = StructMember | Param | Operation;

/** Whether `t` holds a `string` a binary mark can apply to (anywhere but a map key). */
export function hasMarkableString(t: TarsType): boolean {
  switch (t.kind) {
    case 'primitive':
      return t.name === 'string';
    case 'vector':
      return hasMarkableString(t.item);
    case 'map':
      return hasMarkableString(t.value);
    case 'named':
      return false;
  }
}

/**
 * Resolves `Module.Struct.field`, `Module.Interface.operation.param` and `Module.Interface.operation.return`.
 * @throws TarsIdlError for a name that matches nothing, or a target without a `string` to make binary.
 */
export function resolveBinaryStrings(program: TarsProgram, names: readonly string[]): Set<BinaryTarget> {
  const out = new Set<BinaryTarget>();
  if (names.length === 0) return out;
  const decls = new Map<string, StructDecl | InterfaceDecl>();
  for (const f of program.files) {
    for (const m of f.modules) {
      for (const d of m.definitions) {
        if (d.kind === 'struct' || d.kind === 'interface') decls.set(`${d.module}.${d.name}`, d);
      }
    }
  }
  const where = program.files[0]?.modules[0]?.pos ?? { file: '<tars2ts>', line: 1, column: 1 };
  for (const name of names) {
    const target = resolveOne(decls, name);
    if (target === undefined) {
      throw new TarsIdlError(
        where,
        `--binary-strings: '${name}' is not a struct field (Module.Struct.field), parameter ` +
          `(Module.Interface.operation.param) or return value (Module.Interface.operation.return)`,
      );
    }
    const type = 'type' in target ? target.type : target.returnType;
    if (type === undefined || !hasMarkableString(type)) {
      throw new TarsIdlError(
        target.pos,
        `--binary-strings: '${name}' holds no string (outside map keys) to make binary`,
      );
    }
    out.add(target);
  }
  return out;
}

function resolveOne(decls: Map<string, StructDecl | InterfaceDecl>, name: string): BinaryTarget | undefined {
  const parts = name.split('.');
  for (let cut = parts.length - 1; cut >= 2; cut--) {
    const decl = decls.get(parts.slice(0, cut).join('.'));
    if (decl === undefined) continue;
    const rest = parts.slice(cut);
    if (decl.kind === 'struct')
      return rest.length === 1 ? decl.members.find((m) => m.name === rest[0]) : undefined;
    if (rest.length !== 2) return undefined;
    const op = decl.operations.find((o) => o.name === rest[0]);
    if (op === undefined) return undefined;
    return rest[1] === 'return' ? op : op.params.find((p) => p.name === rest[1]);
  }
  return undefined;
}
