/** Emits enums as `const` objects with a matching union type, and IDL consts as exported constants. */
import type { ConstDecl, EnumDecl } from '../idl/ast.js';
import type { CodeWriter } from './code-writer.js';
import type { TypeMapper } from './type-mapping.js';

export function emitEnum(out: CodeWriter, e: EnumDecl): void {
  out.line(`/** Tars enum \`${e.module}.${e.name}\` (an int32 on the wire). */`);
  out.open(`export const ${e.name} = {`);
  for (const m of e.members) out.line(`${m.name}: ${m.value},`);
  out.close('} as const;');
  out.line(`export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`);
}

export function emitConst(out: CodeWriter, c: ConstDecl, types: TypeMapper): void {
  out.line(`/** Tars const \`${c.module}.${c.name}\`. */`);
  // Enum-typed consts keep their enum type; the others keep their literal type.
  const annotation = c.type.kind === 'named' ? `: ${types.tsType(c.type)}` : '';
  out.line(`export const ${c.name}${annotation} = ${types.literal(c.type, c.value)};`);
}
