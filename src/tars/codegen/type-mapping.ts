/**
 * How each IDL type appears in generated TypeScript: its TS type, its zero/default value, and the codec calls that
 * write and read it. Field code calls the codec directly (`w.writeInt32(0, v.a)`); element code (list items, map
 * keys/values, RPC arguments) wraps the same call in a ValueWriter/ValueReader arrow. Every method takes `bin`:
 * the value was marked binary (`--binary-strings`), so its strings (all but map keys) are `Uint8Array`.
 */
import type { EnumDecl, Literal, PrimitiveName, StructDecl, TarsType } from '../idl/ast.js';
import type { BinaryTarget } from './binary-strings.js';
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

/** The TUP v2 type names of the primitives, spelled as @tars/stream does (unsigned ones as their wire type). */
const TYPE_NAMES: Record<PrimitiveName, string> = {
  bool: 'bool',
  byte: 'char',
  short: 'short',
  int: 'int32',
  long: 'int64',
  float: 'float',
  double: 'double',
  string: 'string',
  'unsigned byte': 'short',
  'unsigned short': 'int32',
  'unsigned int': 'int64',
};

const BINARY: PrimitiveInfo = { ts: 'Uint8Array', codec: 'StringBytes', zero: 'new Uint8Array(0)' };

function primitive(name: PrimitiveName, bin: boolean): PrimitiveInfo {
  return bin && name === 'string' ? BINARY : PRIMITIVES[name];
}

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
  readonly #binary: ReadonlySet<BinaryTarget>;
  /** @param binary the fields, parameters and return values marked `--binary-strings`. */
  constructor(scope: Scope, binary: ReadonlySet<BinaryTarget> = new Set()) {
    this.#scope = scope;
    this.#binary = binary;
  }

  /** Whether a field, parameter or (an operation's) return value was marked binary. */
  isBinary(target: BinaryTarget): boolean {
    return this.#binary.has(target);
  }

  tsType(t: TarsType, bin = false): string {
    switch (t.kind) {
      case 'primitive':
        return primitive(t.name, bin).ts;
      case 'vector': {
        if (isBytes(t)) return 'Uint8Array';
        const item = this.tsType(t.item, bin);
        return /[ |]/.test(item) ? `Array<${item}>` : `${item}[]`;
      }
      case 'map':
        return `Map<${this.tsType(t.key)}, ${this.tsType(t.value, bin)}>`;
      case 'named':
        return this.#scope.ref(declOf(t));
    }
  }

  /** A fresh value of type `t`: the literal default if given, else the type's zero (first enumerator for enums). */
  initial(t: TarsType, value?: Literal, bin = false): string {
    if (value) return this.literal(t, value, bin);
    switch (t.kind) {
      case 'primitive':
        return primitive(t.name, bin).zero;
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
  literal(t: TarsType, v: Literal, bin = false): string {
    switch (v.kind) {
      case 'bool':
        return String(v.value);
      case 'string':
        return bin ? `new TextEncoder().encode(${quote(v.value)})` : quote(v.value);
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
  write(w: string, tag: string, value: string, t: TarsType, bin = false): string {
    switch (t.kind) {
      case 'primitive':
        return `${w}.write${primitive(t.name, bin).codec}(${tag}, ${value})`;
      case 'vector':
        if (isBytes(t)) return `${w}.writeBytes(${tag}, ${value})`;
        return `${w}.writeList(${tag}, ${value}, ${this.valueWriter(t.item, bin)})`;
      case 'map':
        return `${w}.writeMap(${tag}, ${value}, ${this.valueWriter(t.key)}, ${this.valueWriter(t.value, bin)})`;
      case 'named': {
        const d = declOf(t);
        if (d.kind === 'enum') return `${w}.writeInt32(${tag}, ${value})`;
        return `${w}.writeStruct(${tag}, ${value}, ${this.#scope.ref(d)}.write)`;
      }
    }
  }

  /** An expression reading a value of type `t` at `tag`; `def` is used when an optional field is absent. */
  read(r: string, tag: string, required: string, t: TarsType, def: string, bin = false): string {
    switch (t.kind) {
      case 'primitive':
        return `${r}.read${primitive(t.name, bin).codec}(${tag}, ${required}, ${def})`;
      case 'vector':
        if (isBytes(t)) return `${r}.readBytes(${tag}, ${required}, ${def})`;
        return `${r}.readList(${tag}, ${required}, ${this.valueReader(t.item, bin)})`;
      case 'map':
        return `${r}.readMap(${tag}, ${required}, ${this.valueReader(t.key)}, ${this.valueReader(t.value, bin)})`;
      case 'named': {
        const d = declOf(t);
        const name = this.#scope.ref(d);
        if (d.kind === 'enum') return `${r}.readInt32(${tag}, ${required}, ${def}) as ${name}`;
        return `${r}.readStruct(${tag}, ${required}, ${name}.read, ${name}.create)`;
      }
    }
  }

  /** A `ValueWriter<T>` arrow for `t`. */
  valueWriter(t: TarsType, bin = false): string {
    return `(w, t, v) => ${this.write('w', 't', 'v', t, bin)}`;
  }

  /** A `ValueReader<T>` arrow for `t` (elements are always present, so the default is the zero value). */
  valueReader(t: TarsType, bin = false): string {
    return `(r, t, req) => ${this.read('r', 't', 'req', t, this.initial(t, undefined, bin), bin)}`;
  }

  /**
   * The Tars type name TUP version 2 records for a value of `t`, as @tars/stream spells it: `int32`, `string`,
   * `list<char>` for bytes, `List<T>`, `map<K,V>`, `Module.Struct`. An enum is `int32` as an argument (it is
   * written as one) and `Module.Enum` inside a container, as the tars2node output does. A binary string is a
   * `string` on the wire and keeps the name.
   */
  typeName(t: TarsType, nested = false): string {
    switch (t.kind) {
      case 'primitive':
        return TYPE_NAMES[t.name];
      case 'vector':
        return isBytes(t) ? 'list<char>' : `List<${this.typeName(t.item, true)}>`;
      case 'map':
        return `map<${this.typeName(t.key, true)},${this.typeName(t.value, true)}>`;
      case 'named': {
        const d = declOf(t);
        return d.kind === 'enum' && !nested ? 'int32' : `${d.module}.${d.name}`;
      }
    }
  }
}

/** A number as TS source: integers without exponent noise, floats round-trippable. */
function numberText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return String(n);
}
