/** The .tars front end: parse, resolve includes, check. `loadTarsProgram` is the usual entry point. */
export type * from './ast.js';
export { TarsIdlError } from './errors.js';
export { tokenize, type Token, type TokenKind } from './lexer.js';
export { parseTars } from './parser.js';
export { checkProgram } from './checker.js';
export { loadTarsProgram, type LoadOptions, type TarsProgram } from './loader.js';
