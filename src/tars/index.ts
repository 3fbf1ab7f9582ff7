/**
 * The Tars runtime as generated code and applications see it: the value codec and the contract types between
 * tars2ts output and the RPC layer. Generated files import only types from here (`--import-from`).
 */
export * from './codec/index.js';
export type * from './contract.js';
