/**
 * Recursive-descent parser for one .tars file (the TarsCpp grammar). It checks syntax and what one definition can
 * check on its own (tag range, duplicate tags and names); names across definitions and files are the checker's job.
 */
import type {
  Definition,
  EnumMember,
  IncludeDirective,
  KeyDecl,
  Literal,
  ModuleBlock,
  Operation,
  Param,
  ParamMode,
  PrimitiveName,
  SourcePos,
  StructMember,
  TarsFile,
  TarsType,
} from './ast.js';
import { TarsIdlError } from './errors.js';
import { tokenize, type Token } from './lexer.js';

const KEYWORDS = new Set([
  'module',
  'struct',
  'interface',
  'enum',
  'const',
  'key',
  'require',
  'optional',
  'out',
  'routekey',
  'void',
  'bool',
  'byte',
  'short',
  'int',
  'long',
  'float',
  'double',
  'string',
  'vector',
  'map',
  'unsigned',
  'true',
  'false',
]);
const PRIMITIVES = new Set(['bool', 'byte', 'short', 'int', 'long', 'float', 'double', 'string']);
const MAX_TAG = 255;

/**
 * Parses one file's source. `file` identifies the file in the tree (`TarsFile.path`, `decl.file`); `displayName`
 * (default `file`) is what positions and messages show. Throws {@link TarsIdlError}.
 */
export function parseTars(source: string, file: string, displayName: string = file): TarsFile {
  return new Parser(tokenize(source, displayName), file).parseFile();
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'string':
      return `string ${JSON.stringify(t.text)}`;
    default:
      return `'${t.text}'`;
  }
}

class Parser {
  #tokens: Token[];
  #at = 0;
  #module = '';
  readonly #file: string;

  constructor(tokens: Token[], file: string) {
    this.#tokens = tokens;
    this.#file = file;
  }

  parseFile(): TarsFile {
    const includes: IncludeDirective[] = [];
    const modules: ModuleBlock[] = [];
    while (this.#peek().kind !== 'eof') {
      const t = this.#peek();
      if (t.kind === 'include') {
        this.#next();
        const path = this.#next();
        if (path.kind !== 'string')
          this.#fail(path, `expected a quoted file name after #include, found ${describe(path)}`);
        includes.push({ path: path.text, pos: t.pos });
      } else if (this.#isWord('module')) {
        modules.push(this.#parseModule());
      } else {
        this.#fail(t, `expected 'module' or '#include', found ${describe(t)}`);
      }
    }
    return { path: this.#file, includes, modules };
  }

  #parseModule(): ModuleBlock {
    const pos = this.#next().pos;
    const name = this.#name('module name', false);
    this.#expect('{', `after module name '${name}'`);
    this.#module = name;
    const definitions: Definition[] = [];
    while (!this.#isPunct('}')) {
      const t = this.#peek();
      if (t.kind === 'eof') this.#fail(t, `expected '}' to close module '${name}', found end of file`);
      if (t.kind === 'include') this.#fail(t, '#include must come before the first module');
      definitions.push(this.#parseDefinition());
    }
    this.#next();
    this.#expect(';', `after the '}' of module '${name}'`);
    return { name, definitions, pos };
  }

  #parseDefinition(): Definition {
    const t = this.#peek();
    if (this.#isWord('struct')) return this.#parseStruct();
    if (this.#isWord('enum')) return this.#parseEnum();
    if (this.#isWord('const')) return this.#parseConst();
    if (this.#isWord('interface')) return this.#parseInterface();
    if (this.#isWord('key')) return this.#parseKey();
    if (this.#isWord('module')) this.#fail(t, 'modules cannot be nested');
    return this.#fail(t, `expected 'struct', 'enum', 'const', 'interface' or 'key', found ${describe(t)}`);
  }

  #parseStruct(): Definition {
    const pos = this.#next().pos;
    const name = this.#name('struct name');
    this.#expect('{', `after struct name '${name}'`);
    const members: StructMember[] = [];
    const tags = new Map<number, string>();
    const names = new Set<string>();
    while (!this.#isPunct('}')) {
      const tagTok = this.#next();
      if (tagTok.kind !== 'int') {
        this.#fail(
          tagTok,
          `expected a member tag (0..${MAX_TAG}) or '}' in struct '${name}', found ${describe(tagTok)}`,
        );
      }
      const tag = Number(parseInteger(tagTok));
      if (tag > MAX_TAG) this.#fail(tagTok, `tag ${tag} is out of range 0..${MAX_TAG}`);
      const mod = this.#next();
      if (!(mod.kind === 'ident' && (mod.text === 'require' || mod.text === 'optional'))) {
        this.#fail(mod, `expected 'require' or 'optional' after tag ${tag}, found ${describe(mod)}`);
      }
      const type = this.#parseType();
      const nameTok = this.#peek();
      const memberName = this.#name('member name');
      const prev = tags.get(tag);
      if (prev !== undefined)
        this.#fail(tagTok, `duplicate tag ${tag} in struct '${name}' (already used by '${prev}')`);
      if (names.has(memberName)) this.#fail(nameTok, `duplicate member '${memberName}' in struct '${name}'`);
      tags.set(tag, memberName);
      names.add(memberName);
      let defaultValue: Literal | undefined;
      if (this.#isPunct('=')) {
        this.#next();
        defaultValue = this.#parseLiteral();
      }
      this.#expect(';', 'after struct member');
      members.push({
        tag,
        required: mod.text === 'require',
        type,
        name: memberName,
        pos: tagTok.pos,
        ...(defaultValue ? { defaultValue } : {}),
      });
    }
    this.#next();
    this.#expect(';', `after the '}' of struct '${name}'`);
    return { kind: 'struct', module: this.#module, name, members, pos, file: this.#file };
  }

  #parseEnum(): Definition {
    const pos = this.#next().pos;
    const name = this.#name('enum name');
    this.#expect('{', `after enum name '${name}'`);
    const members: EnumMember[] = [];
    const names = new Set<string>();
    while (!this.#isPunct('}')) {
      const t = this.#peek();
      const memberName = this.#name('enumerator name');
      if (names.has(memberName)) this.#fail(t, `duplicate enumerator '${memberName}' in enum '${name}'`);
      names.add(memberName);
      let init: Literal | undefined;
      if (this.#isPunct('=')) {
        this.#next();
        init = this.#parseLiteral();
      }
      members.push({ name: memberName, value: 0, pos: t.pos, ...(init ? { init } : {}) });
      if (this.#isPunct(',')) this.#next();
      else if (!this.#isPunct('}'))
        this.#fail(this.#peek(), `expected ',' or '}' after enumerator, found ${describe(this.#peek())}`);
    }
    const close = this.#next();
    if (members.length === 0) this.#fail(close, `enum '${name}' has no enumerators`);
    this.#expect(';', `after the '}' of enum '${name}'`);
    return { kind: 'enum', module: this.#module, name, members, pos, file: this.#file };
  }

  #parseConst(): Definition {
    const pos = this.#next().pos;
    const type = this.#parseType();
    const name = this.#name('const name');
    this.#expect('=', `after const name '${name}'`);
    const value = this.#parseLiteral();
    this.#expect(';', 'after const value');
    return { kind: 'const', module: this.#module, name, type, value, pos, file: this.#file };
  }

  #parseInterface(): Definition {
    const pos = this.#next().pos;
    const name = this.#name('interface name');
    this.#expect('{', `after interface name '${name}'`);
    const operations: Operation[] = [];
    const names = new Set<string>();
    while (!this.#isPunct('}')) {
      const opPos = this.#peek().pos;
      let returnType: TarsType | undefined;
      if (this.#isWord('void')) this.#next();
      else returnType = this.#parseType();
      const nameTok = this.#peek();
      const opName = this.#name('operation name');
      if (names.has(opName)) this.#fail(nameTok, `duplicate operation '${opName}' in interface '${name}'`);
      names.add(opName);
      this.#expect('(', `after operation name '${opName}'`);
      const params: Param[] = [];
      const paramNames = new Set<string>();
      while (!this.#isPunct(')')) {
        if (params.length > 0) this.#expect(',', 'between parameters');
        const p = this.#parseParam();
        if (paramNames.has(p.name))
          this.#fail(p.pos, `duplicate parameter '${p.name}' in operation '${opName}'`);
        paramNames.add(p.name);
        params.push(p);
      }
      this.#next();
      this.#expect(';', `after operation '${opName}'`);
      operations.push({ name: opName, params, pos: opPos, ...(returnType ? { returnType } : {}) });
    }
    this.#next();
    this.#expect(';', `after the '}' of interface '${name}'`);
    return { kind: 'interface', module: this.#module, name, operations, pos, file: this.#file };
  }

  #parseParam(): Param {
    const pos = this.#peek().pos;
    let mode: ParamMode = 'in';
    if (this.#isWord('out') || this.#isWord('routekey')) mode = this.#next().text as ParamMode;
    const type = this.#parseType();
    const name = this.#name('parameter name');
    return { mode, type, name, pos };
  }

  #parseKey(): KeyDecl {
    const pos = this.#next().pos;
    this.#expect('[', "after 'key'");
    const struct = this.#name('struct name', false);
    const fields: string[] = [];
    while (this.#isPunct(',')) {
      this.#next();
      fields.push(this.#name('field name'));
    }
    if (fields.length === 0) this.#fail(this.#peek(), `expected ',' and a field name after 'key[${struct}'`);
    this.#expect(']', 'after key fields');
    this.#expect(';', 'after key declaration');
    return { kind: 'key', struct, fields, pos };
  }

  #parseType(): TarsType {
    const t = this.#next();
    if (t.kind !== 'ident') return this.#fail(t, `expected a type, found ${describe(t)}`);
    if (PRIMITIVES.has(t.text)) return { kind: 'primitive', name: t.text as PrimitiveName, pos: t.pos };
    if (t.text === 'unsigned') {
      const u = this.#next();
      if (!(u.kind === 'ident' && (u.text === 'byte' || u.text === 'short' || u.text === 'int'))) {
        this.#fail(u, `expected 'byte', 'short' or 'int' after 'unsigned', found ${describe(u)}`);
      }
      return { kind: 'primitive', name: `unsigned ${u.text}` as PrimitiveName, pos: t.pos };
    }
    if (t.text === 'vector') {
      this.#expect('<', "after 'vector'");
      const item = this.#parseType();
      this.#expect('>', 'to close vector<...>');
      return { kind: 'vector', item, pos: t.pos };
    }
    if (t.text === 'map') {
      this.#expect('<', "after 'map'");
      const key = this.#parseType();
      this.#expect(',', 'between map key and value types');
      const value = this.#parseType();
      this.#expect('>', 'to close map<...>');
      return { kind: 'map', key, value, pos: t.pos };
    }
    if (KEYWORDS.has(t.text)) return this.#fail(t, `expected a type, found keyword '${t.text}'`);
    return { kind: 'named', name: t.text, pos: t.pos };
  }

  #parseLiteral(): Literal {
    const t = this.#next();
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+')) {
      const n = this.#next();
      if (n.kind !== 'int' && n.kind !== 'float')
        return this.#fail(n, `expected a number after '${t.text}', found ${describe(n)}`);
      const neg = t.text === '-';
      if (n.kind === 'int') {
        const v = parseInteger(n);
        return { kind: 'int', value: neg ? -v : v, text: `${neg ? '-' : ''}${n.text}`, pos: t.pos };
      }
      const v = parseFloatText(n.text);
      return { kind: 'float', value: neg ? -v : v, text: `${neg ? '-' : ''}${n.text}`, pos: t.pos };
    }
    switch (t.kind) {
      case 'int':
        return { kind: 'int', value: parseInteger(t), text: t.text, pos: t.pos };
      case 'float':
        return { kind: 'float', value: parseFloatText(t.text), text: t.text, pos: t.pos };
      case 'string':
        return { kind: 'string', value: t.text, pos: t.pos };
      case 'ident':
        if (t.text === 'true' || t.text === 'false')
          return { kind: 'bool', value: t.text === 'true', pos: t.pos };
        if (KEYWORDS.has(t.text)) break;
        return { kind: 'enumRef', name: t.text, pos: t.pos };
      default:
        break;
    }
    return this.#fail(
      t,
      `expected a value (number, string, true, false or enumerator), found ${describe(t)}`,
    );
  }

  /** Reads an identifier that is not a keyword; `simple` forbids `::`. */
  #name(what: string, simple = true): string {
    const t = this.#next();
    if (t.kind !== 'ident') return this.#fail(t, `expected ${what}, found ${describe(t)}`);
    if (KEYWORDS.has(t.text)) return this.#fail(t, `expected ${what}, found keyword '${t.text}'`);
    if (simple && t.text.includes('::')) return this.#fail(t, `${what} '${t.text}' must not contain '::'`);
    return t.text;
  }

  #expect(punct: string, context: string): Token {
    const t = this.#next();
    if (t.kind !== 'punct' || t.text !== punct)
      this.#fail(t, `expected '${punct}' ${context}, found ${describe(t)}`);
    return t;
  }

  #peek(): Token {
    return this.#tokens[this.#at] as Token;
  }
  #next(): Token {
    const t = this.#peek();
    if (t.kind !== 'eof') this.#at++;
    return t;
  }
  #isWord(word: string): boolean {
    const t = this.#peek();
    return t.kind === 'ident' && t.text === word;
  }
  #isPunct(p: string): boolean {
    const t = this.#peek();
    return t.kind === 'punct' && t.text === p;
  }
  #fail(at: Token | SourcePos, msg: string): never {
    throw new TarsIdlError('pos' in at ? at.pos : at, msg);
  }
}

/** Decimal, `0x` hex and leading-zero octal, as in C. */
function parseInteger(t: Token): bigint {
  const s = t.text;
  if (/^0[xX]/.test(s)) return BigInt(s);
  if (/^0[0-9]+$/.test(s)) {
    if (/[89]/.test(s)) throw new TarsIdlError(t.pos, `invalid digit in octal number '${s}'`);
    return BigInt(`0o${s.slice(1)}`);
  }
  return BigInt(s);
}

function parseFloatText(s: string): number {
  return Number(s.replace(/[fFdD]$/, ''));
}
