/**
 * The typed syntax tree of a .tars file. The parser builds it; the checker fills in the resolved parts (`decl` of
 * named types, `enumValue` of enum references), so after `loadTarsProgram` succeeds every field marked
 * "after checking" is set.
 */

/** Where a node starts: the file as given to the loader, 1-based line and column. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type PrimitiveName =
  | 'bool'
  | 'byte'
  | 'short'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'string'
  | 'unsigned byte'
  | 'unsigned short'
  | 'unsigned int';

export interface PrimitiveType {
  readonly kind: 'primitive';
  readonly name: PrimitiveName;
  readonly pos: SourcePos;
}
export interface VectorType {
  readonly kind: 'vector';
  readonly item: TarsType;
  readonly pos: SourcePos;
}
export interface MapType {
  readonly kind: 'map';
  readonly key: TarsType;
  readonly value: TarsType;
  readonly pos: SourcePos;
}
/** A reference to a struct or enum, as written (`Foo` or `Mod::Foo`). */
export interface NamedType {
  readonly kind: 'named';
  /** The name as written, `::`-separated. */
  readonly name: string;
  readonly pos: SourcePos;
  /** The declaration it names (after checking). */
  decl?: StructDecl | EnumDecl;
}
export type TarsType = PrimitiveType | VectorType | MapType | NamedType;

/** A literal or an enum reference in a default value, an enumerator value or a const. */
export type Literal =
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: SourcePos }
  | { readonly kind: 'int'; readonly value: bigint; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'float'; readonly value: number; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'string'; readonly value: string; readonly pos: SourcePos }
  | EnumRef;
/** `RED`, `Mod::RED` or `Color::RED` used as a value. */
export interface EnumRef {
  readonly kind: 'enumRef';
  readonly name: string;
  readonly pos: SourcePos;
  /** The enumerator it names (after checking). */
  enumValue?: { readonly decl: EnumDecl; readonly member: EnumMember };
}

export interface StructMember {
  readonly tag: number;
  readonly required: boolean;
  readonly type: TarsType;
  readonly name: string;
  readonly defaultValue?: Literal;
  readonly pos: SourcePos;
}
/** `key[Struct, f1, f2];`: the fields that order and compare a struct (used by C++ only; checked, not emitted). */
export interface KeyDecl {
  readonly kind: 'key';
  readonly struct: string;
  readonly fields: readonly string[];
  readonly pos: SourcePos;
}
export interface StructDecl {
  readonly kind: 'struct';
  readonly module: string;
  readonly name: string;
  readonly members: readonly StructMember[];
  readonly pos: SourcePos;
  /** The file that declares it. */
  readonly file: string;
  /** Set by a `key[...]` declaration, if any. */
  key?: readonly string[];
}
export interface EnumMember {
  readonly name: string;
  /** The explicit value expression, if written. */
  readonly init?: Literal;
  /** The numeric value (after checking). */
  value: number;
  readonly pos: SourcePos;
}
export interface EnumDecl {
  readonly kind: 'enum';
  readonly module: string;
  readonly name: string;
  readonly members: readonly EnumMember[];
  readonly pos: SourcePos;
  readonly file: string;
}
export interface ConstDecl {
  readonly kind: 'const';
  readonly module: string;
  readonly name: string;
  readonly type: TarsType;
  readonly value: Literal;
  readonly pos: SourcePos;
  readonly file: string;
}
export type ParamMode = 'in' | 'out' | 'routekey';
export interface Param {
  readonly mode: ParamMode;
  readonly type: TarsType;
  readonly name: string;
  readonly pos: SourcePos;
}
export interface Operation {
  readonly name: string;
  /** `undefined` for `void`. */
  readonly returnType?: TarsType;
  readonly params: readonly Param[];
  readonly pos: SourcePos;
}
export interface InterfaceDecl {
  readonly kind: 'interface';
  readonly module: string;
  readonly name: string;
  readonly operations: readonly Operation[];
  readonly pos: SourcePos;
  readonly file: string;
}
export type Definition = StructDecl | EnumDecl | ConstDecl | InterfaceDecl | KeyDecl;

/** One `module X { ... };` block. The same module may be opened several times, in one file or several. */
export interface ModuleBlock {
  readonly name: string;
  readonly definitions: readonly Definition[];
  readonly pos: SourcePos;
}

export interface IncludeDirective {
  /** The path as written between the quotes. */
  readonly path: string;
  readonly pos: SourcePos;
  /** The resolved absolute path (set by the loader). */
  resolved?: string;
}

/** One parsed .tars file. */
export interface TarsFile {
  /** The path as given to the parser (absolute when loaded through `loadTarsProgram`). */
  readonly path: string;
  readonly includes: readonly IncludeDirective[];
  readonly modules: readonly ModuleBlock[];
}
