/**
 * The one error type of the .tars front end. Its message reads like a compiler's,
 * `hello.tars:3:14: expected ';' after struct member, found 'int'`, so a CLI can print it as is.
 */
import type { SourcePos } from './ast.js';

/** A lexical, syntax, include or semantic error in a .tars file, located at `file:line:column`. */
export class TarsIdlError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the location prefix. */
  readonly detail: string;
  constructor(pos: SourcePos, detail: string, options?: { cause?: unknown }) {
    super(`${pos.file}:${pos.line}:${pos.column}: ${detail}`, options);
    this.name = 'TarsIdlError';
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
    this.detail = detail;
  }
}
