/** Emits a struct as an interface plus its `TarsStructType` companion (write, read, create). */
import type { StructDecl } from '../idl/ast.js';
import type { CodeWriter } from './code-writer.js';
import type { Scope } from './scope.js';
import type { TypeMapper } from './type-mapping.js';

export function emitStruct(out: CodeWriter, s: StructDecl, scope: Scope, types: TypeMapper): void {
  // Fields go on the wire in ascending tag order whatever the declaration order.
  const byTag = [...s.members].sort((a, b) => a.tag - b.tag);
  // An empty struct reads and writes nothing; `_` keeps its parameters clean under noUnusedParameters.
  const [w, v, r] = s.members.length === 0 ? ['_w', '_v', '_r'] : ['w', 'v', 'r'];

  out.line(`/** Tars struct \`${s.module}.${s.name}\`. */`);
  out.open(`export interface ${s.name} {`);
  for (const m of s.members) {
    const bin = types.isBinary(m);
    const def = m.defaultValue ? `, default ${types.literal(m.type, m.defaultValue)}` : '';
    const binary = bin ? ', binary string (raw bytes)' : '';
    // A default such as "*/" must not end the doc comment early.
    out.line(
      `/** Tag ${m.tag}, ${m.required ? 'required' : 'optional'}${def.replace(/\*\//g, '*\\/')}${binary}. */`,
    );
    out.line(`${m.name}: ${types.tsType(m.type, bin)};`);
  }
  out.close();

  out.open(`export const ${s.name}: ${scope.runtime('TarsStructType')}<${s.name}> = {`);
  out.line(`name: '${s.module}.${s.name}',`);
  out.open(`write(${w}, ${v}) {`);
  for (const m of byTag) {
    out.line(`${types.write('w', String(m.tag), `v.${m.name}`, m.type, types.isBinary(m))};`);
  }
  out.close('},');
  out.open(`read(${r}) {`);
  // Readers only move forward, so fields are read in tag order too.
  out.open('return {');
  for (const m of byTag) {
    const bin = types.isBinary(m);
    const def = types.initial(m.type, m.defaultValue, bin);
    out.line(`${m.name}: ${types.read('r', String(m.tag), String(m.required), m.type, def, bin)},`);
  }
  out.close('};');
  out.close('},');
  out.open('create() {');
  out.open('return {');
  for (const m of s.members)
    out.line(`${m.name}: ${types.initial(m.type, m.defaultValue, types.isBinary(m))},`);
  out.close('};');
  out.close('},');
  out.close('};');
}
