/**
 * The Tars runtime (`tars-ws/tars`), the one entry point users need: the value codec, packets and framing,
 * argument readers/writers per packet version, the RPC client and server, typed errors, and the contract types
 * between tars2ts output and the RPC layer. Generated files import only types from here (`--import-from`).
 * The exported surface is recorded in docs/tars-api.md (`npm run api:check` fails when it changes unnoticed).
 */
export * from './codec/index.js';
export type * from './contract.js';
export * from './packet/index.js';
export * from './rpc/index.js';
// The .tars front end and the generator behind the tars2ts CLI, for build scripts that generate in-process.
export { loadTarsProgram, TarsIdlError, type LoadOptions, type TarsProgram } from './idl/index.js';
export {
  DEFAULT_IMPORT_FROM,
  generateTypeScript,
  type GenerateOptions,
  type GeneratedFile,
} from './codegen/index.js';
