/**
 * The syntax of the config files tarsnode writes (TarsCpp's TC_Config): nested `<name> ... </name>` domains,
 * `key=value` lines split at the first unescaped `=` with both sides trimmed, bare keys, whole-line `#` comments and
 * the escapes `\\ \r \n \t \=`. This file knows the syntax only; {@link readTarsServerConfig} gives it meaning.
 */

/** One `<name> ... </name>` domain: its parameters in file order and its sub-domains. */
export interface ConfDomain {
  readonly name: string;
  /** Parameters by key; a bare key (`allow`) has the value `''`. A repeated key keeps its last value. */
  readonly params: ReadonlyMap<string, string>;
  readonly children: readonly ConfDomain[];
  /** 1-based line of the opening tag (0 for the document root). */
  readonly line: number;
}

/** A syntax error; the message names the source and the 1-based line. */
export class TarsConfSyntaxError extends Error {
  readonly line: number;
  constructor(source: string, line: number, why: string) {
    super(`${source}:${line}: ${why}`);
    this.name = 'TarsConfSyntaxError';
    this.line = line;
  }
}

interface MutableDomain {
  name: string;
  params: Map<string, string>;
  children: MutableDomain[];
  line: number;
}

const TAG = /^<(\/?)([^<>/\s]+)>$/;

/**
 * Parses a Tars config text into its root domain (nameless, holding the top-level domains).
 *
 * @example
 *   parseTarsConf('<tars>\n<application>\nenableset=n\n</application>\n</tars>').children[0]?.name // 'tars'
 */
export function parseTarsConf(text: string, source = 'config'): ConfDomain {
  const root: MutableDomain = { name: '', params: new Map(), children: [], line: 0 };
  const stack: MutableDomain[] = [root];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const current = stack[stack.length - 1]!;
    if (line.startsWith('<')) {
      const tag = TAG.exec(line);
      if (!tag) throw new TarsConfSyntaxError(source, lineNo, `malformed tag "${line}"`);
      const [, closing, name = ''] = tag;
      if (closing) {
        if (stack.length === 1) throw new TarsConfSyntaxError(source, lineNo, `</${name}> closes nothing`);
        if (current.name !== name) {
          throw new TarsConfSyntaxError(
            source,
            lineNo,
            `</${name}> does not match <${current.name}> opened on line ${current.line}`,
          );
        }
        stack.pop();
        continue;
      }
      if (current.children.some((c) => c.name === name)) {
        throw new TarsConfSyntaxError(source, lineNo, `domain <${name}> appears twice in the same domain`);
      }
      const child: MutableDomain = { name, params: new Map(), children: [], line: lineNo };
      current.children.push(child);
      stack.push(child);
      continue;
    }
    if (stack.length === 1) {
      throw new TarsConfSyntaxError(source, lineNo, `"${line}" is outside any <domain>`);
    }
    const eq = firstUnescapedEquals(line);
    const rawKey = eq < 0 ? line : line.slice(0, eq);
    const key = unescape(rawKey.trim());
    if (key === '') throw new TarsConfSyntaxError(source, lineNo, 'empty key before "="');
    current.params.set(key, eq < 0 ? '' : unescape(line.slice(eq + 1).trim()));
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!;
    throw new TarsConfSyntaxError(
      source,
      lines.length,
      `<${open.name}> opened on line ${open.line} is never closed`,
    );
  }
  return root;
}

/** The sub-domain at `path` (e.g. `['tars', 'application', 'server']`), or undefined. */
export function findDomain(root: ConfDomain, path: readonly string[]): ConfDomain | undefined {
  let d: ConfDomain | undefined = root;
  for (const name of path) {
    d = d.children.find((c) => c.name === name);
    if (!d) return undefined;
  }
  return d;
}

function firstUnescapedEquals(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '=') return i;
  }
  return -1;
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', r: '\r', n: '\n', t: '\t', '=': '=' };

/** Resolves the five escapes; any other backslash is kept as written, as TC_Config does (paths, patterns). */
function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const mapped = c === '\\' ? ESCAPES[s[i + 1] ?? ''] : undefined;
    if (mapped === undefined) {
      out += c;
      continue;
    }
    out += mapped;
    i++;
  }
  return out;
}
