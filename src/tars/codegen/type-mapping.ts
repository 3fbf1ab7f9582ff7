/**
 * How each IDL type appears in generated TypeScript: its TS type, its zero/default value, and the codec calls that
 * write and read it. Field code calls the codec directly (`w.writeInt32(0, v.a)`); element code (list items, map
 * keys/values, RPC arguments) wraps the same call in a ValueWriter/ValueReader arrow.
 */
import type { EnumDecl, Literal, PrimitiveName, StructDecl, TarsType } from '../idl/ast.js';
import { quote } from './code-writer.js';
import type { Scope } from './scope.js';

interface PrimitiveInfo {
  readonly ts: string;
  /** Codec method suffix: `write${codec}` / `read${codec}`. */
  readonly codec: string;
  readonly zero: string;
}

const PRIMITIVES: Record<PrimitiveName, PrimitiveInfo> = {
  bool: { ts: 'boolean', codec: 'Bool', zero: 'false' },
  byte: { ts: 'number', codec: 'Int8', zero: '0' },
  short: { ts: 'number', codec: 'Int16', zero: '0' },
  int: { ts: 'number', codec: 'Int32', zero: '0' },
  long: { ts: 'bigint', codec: 'Int64', zero: '0n' },
  float: { ts: 'number', codec: 'Float', zero: '0' },
  double: { ts: 'number', codec: 'Double', zero: '0' },
  string: { ts: 'string', codec: 'String', zero: "''" },
  'unsigned byte': { ts: 'number', codec: 'UInt8', zero: '0' },
  'unsigned short': { ts: 'number', codec: 'UInt16', zero: '0' },
  'unsigned int': { ts: 'number', codec: 'UInt32', zero: '0' },
};

/** `vector<byte>` is a byte buffer (wire type 13), not a list. */
function isBytes(t: TarsType): boolean {
  return t.kind === 'vector' && t.item.kind === 'primitive' && t.item.name === 'byte';
}

function declOf(t: TarsType & { kind: 'named' }): StructDecl | EnumDecl {
  if (!t.decl) throw new Error(`tars2ts: unresolved type '${t.name}' (the program was not checked)`);
  return t.decl;
}

/** Maps IDL types to TypeScript in the context of one generated file. */
export class TypeMapper {
  readonly #scope: Scope;
  constructor(scope: Scope) {
    this.#scope = scope;
  }

  tsType(t: TarsType): string {
    switch (t.kind) {
      case 'primitive':
        return PRIMITIVES[t.name].ts;
      case 'vector': {
        if (isBytes(t)) return 'Uint8Array';
        const item = this.tsType(t.item);
        return /[ |]/.test(item) ? `Array<${item}>` : `${item}[]`;
      }
      case 'map':
        return `Map<${this.tsType(t.key)}, ${this.tsType(t.value)}>`;
      case 'named':
        return this.#scope.ref(declOf(t));
    }
  }

  /** A fresh value of type `t`: the literal default if given, else the type's zero (first enumerator for enums). */
  initial(t: TarsType, value?: Literal): string {
    if (value) return this.literal(t, value);
    switch (t.kind) {
      case 'primitive':
        return PRIMITIVES[t.name].zero;
      case 'vector':
        return isBytes(t) ? 'new Uint8Array(0)' : '[]';
      case 'map':
        return 'new Map()';
      case 'named': {
        const d = declOf(t);
        const name = this.#scope.ref(d);
        if (d.kind === 'struct') return `${name}.create()`;
        return `${name}.${(d.members[0] as { name: string }).name}`;
      }
    }
  }

  /** A checked literal as a TS expression of type `t`. */
  literal(t: TarsType, v: Literal): string {
    switch (v.kind) {
      case 'bool':
        return String(v.value);
      case 'string':
        return quote(v.value);
      case 'float':
        return numberText(v.value);
      case 'int':
        if (t.kind === 'primitive' && t.name === 'long') return `${v.value}n`;
        if (t.kind === 'named') {
          const d = declOf(t);
          const name = this.#scope.ref(d);
          const member = d.kind === 'enum' ? d.members.find((m) => BigInt(m.value) === v.value) : undefined;
          return member ? `${name}.${member.name}` : `(${v.value} as ${name})`;
        }
        return numberText(Number(v.value));
      case 'enumRef': {
        const e = v.enumValue;
        if (!e) throw new Error(`tars2ts: unresolved enumerator '${v.name}' (the program was not checked)`);
        return `${this.#scope.ref(e.decl)}.${e.member.name}`;
      }
    }
  }

  /** A statement-free expression writing `value` of type `t` at `tag` with writer `w`. */
  write(w: string, tag: string, value: string, t: TarsType): string {
    switch (t.kind) {
      case 'primitive':
        return `${w}.write${PRIMITIVES[t.name].codec}(${tag}, ${value})`;
      case 'vector':
        if (isBytes(t)) return `${w}.writeBytes(${tag}, ${value})`;
        return `${w}.writeList(${tag}, ${value}, ${this.valueWriter(t.item)})`;
      case 'map':
        return `${w}.writeMap(${tag}, ${value}, ${this.valueWriter(t.key)}, ${this.valueWriter(t.value)})`;
      case 'named': {
        const d = declOf(t);
        if (d.kind === 'enum') return `${w}.writeInt32(${tag}, ${value})`;
        return `${w}.writeStruct(${tag}, ${value}, ${this.#scope.ref(d)}.write)`;
      }
    }
  }

  /** An expression reading a value of type `t` at `tag`; `def` is used when an optional field is absent. */
  read(r: string, tag: string, required: string, t: TarsType, def: string): string {
    switch (t.kind) {
      case 'primitive':
        return `${r}.read${PRIMITIVES[t.name].codec}(${tag}, ${required}, ${def})`;
      case 'vector':
        if (isBytes(t)) return `${r}.readBytes(${tag}, ${required}, ${def})`;
        return `${r}.readList(${tag}, ${required}, ${this.valueReader(t.item)})`;
      case 'map':
        return `${r}.readMap(${tag}, ${required}, ${this.valueReader(t.key)}, ${this.valueReader(t.value)})`;
      case 'named': {
        const d = declOf(t);
        const name = this.#scope.ref(d);
        if (d.kind === 'enum') return `${r}.readInt32(${tag}, ${required}, ${def}) as ${name}`;
        return `${r}.readStruct(${tag}, ${required}, ${name}.read, ${name}.create)`;
      }
    }
  }

  /** A `ValueWriter<T>` arrow for `t`. */
  valueWriter(t: TarsType): string {
    return `(w, t, v) => ${this.write('w', 't', 'v', t)}`;
  }

  /** A `ValueReader<T>` arrow for `t` (elements are always present, so the default is the zero value). */
  valueReader(t: TarsType): string {
    return `(r, t, req) => ${this.read('r', 't', 'req', t, this.initial(t))}`;
  }
}

/** A number as TS source: integers without exponent noise, floats round-trippable. */
function numberText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return String(n);
}
