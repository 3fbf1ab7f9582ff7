/**
 * Splits .tars source into tokens. `>` is always its own token so `map<int, vector<int>>` needs no special case,
 * and `#include` is one token because it is a directive, not an identifier.
 */
import type { SourcePos } from './ast.js';
import { TarsIdlError } from './errors.js';

export type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'punct' | 'include' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text (for strings: the decoded value). */
  readonly text: string;
  readonly pos: SourcePos;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '<', '>', ',', ';', '=', '-', '+']);

/** Sticky: matches at `lastIndex` only, so lexing a number never copies the rest of the file. */
const NUMBER = /0[xX][0-9A-Fa-f]+|(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?/y;
const BAD_NUMBER = /[^\s,;)}\]]*/y;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '?': '?',
};

/** Tokenizes a whole file; throws {@link TarsIdlError} on a bad character, string or comment. */
export function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  // A UTF-8 byte-order mark (common from Windows editors) is not part of the source.
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const posAt = (at: number): SourcePos => ({ file, line, column: at - lineStart + 1 });
  const fail = (at: number, msg: string): never => {
    throw new TarsIdlError(posAt(at), msg);
  };

  while (i < source.length) {
    const c = source[i] as string;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const startPos = posAt(i);
      i += 2;
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= source.length) throw new TarsIdlError(startPos, 'unterminated comment');
      i += 2;
      continue;
    }
    const pos = posAt(i);
    if (c === '#') {
      const m = /^#[ \t]*include\b/.exec(source.slice(i, i + 32));
      if (!m) fail(i, `unknown directive '${/^#\S*/.exec(source.slice(i, i + 64))?.[0] ?? '#'}'`);
      i += (m as RegExpExecArray)[0].length;
      tokens.push({ kind: 'include', text: '#include', pos });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j] as string)) j++;
      // `Mod::Name` is lexed as one identifier; whitespace around `::` is not allowed (nor used in practice).
      while (source[j] === ':' && source[j + 1] === ':' && /[A-Za-z_]/.test(source[j + 2] ?? '')) {
        j += 3;
        while (j < source.length && /[A-Za-z0-9_]/.test(source[j] as string)) j++;
      }
      tokens.push({ kind: 'ident', text: source.slice(i, j), pos });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const text = (NUMBER.exec(source) as RegExpExecArray)[0];
      if (/[A-Za-z0-9_.]/.test(source[i + text.length] ?? '')) {
        BAD_NUMBER.lastIndex = i;
        fail(i, `malformed number '${(BAD_NUMBER.exec(source) as RegExpExecArray)[0]}'`);
      }
      const isFloat = !/^0[xX]/.test(text) && /[.eEfFdD]/.test(text);
      tokens.push({ kind: isFloat ? 'float' : 'int', text, pos });
      i += text.length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let value = '';
      const bytes: number[] = [];
      const flush = () => {
        if (bytes.length > 0) {
          value += Buffer.from(bytes).toString('utf8');
          bytes.length = 0;
        }
      };
      for (;;) {
        const d = source[j];
        if (d === undefined || d === '\n') fail(i, 'unterminated string');
        if (d === '"') break;
        if (d !== '\\') {
          flush();
          value += d;
          j++;
          continue;
        }
        const e = source[j + 1] ?? '';
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          flush();
          value += simple;
          j += 2;
        } else if (e === 'x') {
          const hex = /^[0-9A-Fa-f]{1,2}/.exec(source.slice(j + 2));
          if (!hex) fail(j, "expected hex digits after '\\x'");
          bytes.push(parseInt((hex as RegExpExecArray)[0], 16));
          j += 2 + (hex as RegExpExecArray)[0].length;
        } else if (/[0-7]/.test(e)) {
          const oct = /^[0-7]{1,3}/.exec(source.slice(j + 1)) as RegExpExecArray;
          const n = parseInt(oct[0], 8);
          if (n > 255) fail(j, `octal escape '\\${oct[0]}' is out of range`);
          bytes.push(n);
          j += 1 + oct[0].length;
        } else {
          fail(j, `unknown escape '\\${e}' in string`);
        }
      }
      flush();
      tokens.push({ kind: 'string', text: value, pos });
      i = j + 1;
      continue;
    }
    if (c === ':' && source[i + 1] === ':') fail(i, "'::' must join two names, as in 'Module::Name'");
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, pos });
      i++;
      continue;
    }
    fail(i, `unexpected character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: posAt(i) });
  return tokens;
}
