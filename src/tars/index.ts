/**
 * The Tars runtime (`tars-ws/tars`): the value codec, packets, the RPC client and server, and the contract types
 * between tars2ts output and the RPC layer. Generated files import only types from here (`--import-from`).
 */
export * from './codec/index.js';
export type * from './contract.js';
export * from './rpc/index.js';
