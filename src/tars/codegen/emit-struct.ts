/** Emits a struct as an interface plus its `TarsStructType` companion (write, read, create). */
import type { StructDecl } from '../idl/ast.js';
import type { CodeWriter } from './code-writer.js';
import type { Scope } from './scope.js';
import type { TypeMapper } from './type-mapping.js';

export function emitStruct(out: CodeWriter, s: StructDecl, scope: Scope, types: TypeMapper): void {
  // Fields go on the wire in ascending tag order whatever the declaration order.
  const members = [...s.members].sort((a, b) => a.tag - b.tag);
  const structType = scope.runtime('TarsStructType');
  out.line(`/** Tars struct \`${s.module}.${s.name}\`. */`);
  out.block(`export interface ${s.name} {`, () => {
    for (const m of s.members) {
      const def = m.defaultValue ? `, default ${types.literal(m.type, m.defaultValue)}` : '';
      // A default such as "*/" must not end the doc comment early.
      out.line(
        `/** Tag ${m.tag}, ${m.required ? 'required' : 'optional'}${def.replace(/\*\//g, '*\\/')}. */`,
      );
      out.line(`${m.name}: ${types.tsType(m.type)};`);
    }
  });
  out.block(
    `export const ${s.name}: ${structType}<${s.name}> = {`,
    () => {
      out.line(`name: '${s.module}.${s.name}',`);
      out.block(
        `write(w, v) {`,
        () => {
          for (const m of members) out.line(`${types.write('w', String(m.tag), `v.${m.name}`, m.type)};`);
        },
        '},',
      );
      out.block(
        `read(r) {`,
        () => {
          out.block(
            `return {`,
            () => {
              for (const m of s.members) {
                const read = types.read(
                  'r',
                  String(m.tag),
                  String(m.required),
                  m.type,
                  types.initial(m.type, m.defaultValue),
                );
                out.line(`${m.name}: ${read},`);
              }
            },
            '};',
          );
        },
        '},',
      );
      out.block(
        `create() {`,
        () => {
          out.block(
            `return {`,
            () => {
              for (const m of s.members) out.line(`${m.name}: ${types.initial(m.type, m.defaultValue)},`);
            },
            '};',
          );
        },
        '},',
      );
    },
    '};',
  );
}
