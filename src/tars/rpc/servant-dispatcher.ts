/**
 * Maps a request to a servant operation and its outcome to an iRet: -4 unknown servant, -3 unknown function,
 * -1 arguments that do not decode, -99 (or the code of a thrown TarsRpcError) when the servant throws.
 * `tars_ping` answers 0 on every servant. Default `string` arguments that were not valid UTF-8 are counted per
 * servant and the first one of each servant is logged, so a peer sending raw bytes is noticed.
 */
import type { ServantCallContext, ServantOperation } from '../contract.js';
import type { Logger } from 'pino';
import { TarsDecodeError, TarsEncodeError } from '../codec/errors.js';
import { invalidUtf8Count } from '../codec/utf8.js';
import { TarsRet, TarsRpcError } from './errors.js';
import { newArgReader, newArgWriter, type Request } from './packets.js';

/** What the dispatcher produced for one request: the iRet, its description, and the result buffer when ret is 0. */
export interface DispatchOutcome {
  readonly ret: number;
  readonly desc: string;
  readonly buffer: Uint8Array;
}

interface Servant {
  readonly impl: unknown;
  readonly operations: Readonly<Record<string, ServantOperation<unknown>>>;
}

const NO_BYTES = new Uint8Array(0);

export class ServantDispatcher {
  readonly #servants = new Map<string, Servant>();
  readonly #invalidUtf8 = new Map<string, number>();
  readonly #logger: Logger | undefined;

  /** @param logger where the first invalid UTF-8 argument of each servant is reported. */
  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** Default `string` arguments of `servant` decoded from invalid UTF-8 (U+FFFD in place of the bad bytes). */
  invalidUtf8Count(servant: string): number {
    return this.#invalidUtf8.get(servant) ?? 0;
  }

  /** Registers `impl` under `name` (`App.Server.Obj`), dispatching through `operations` (from the generated base). */
  add<S>(name: string, impl: S, operations: Readonly<Record<string, ServantOperation<S>>>): void {
    if (this.#servants.has(name)) throw new Error(`servant ${name} is already registered`);
    this.#servants.set(name, {
      impl,
      operations: operations as Readonly<Record<string, ServantOperation<unknown>>>,
    });
  }

  /** Servant names, in registration order. */
  get names(): string[] {
    return [...this.#servants.keys()];
  }

  async dispatch(req: Request, ctx: ServantCallContext): Promise<DispatchOutcome> {
    const servant = this.#servants.get(req.servantName);
    if (servant === undefined) {
      return { ret: TarsRet.NoSuchServant, desc: `no servant ${req.servantName}`, buffer: NO_BYTES };
    }
    let result;
    try {
      result = newArgWriter(req.version);
    } catch (err) {
      return { ret: TarsRet.ServerDecodeError, desc: messageOf(err), buffer: NO_BYTES };
    }
    if (req.funcName === 'tars_ping') {
      result.write(0, '', 0, (w, tag, v: number) => w.writeInt32(tag, v), 'int32');
      return { ret: TarsRet.Success, desc: '', buffer: result.toBytes() };
    }
    const op = Object.hasOwn(servant.operations, req.funcName) ? servant.operations[req.funcName] : undefined;
    if (op === undefined) {
      return {
        ret: TarsRet.NoSuchFunction,
        desc: `no function ${req.funcName} in ${req.servantName}`,
        buffer: NO_BYTES,
      };
    }
    let args;
    try {
      args = newArgReader(req.version, req.buffer);
    } catch (err) {
      return { ret: TarsRet.ServerDecodeError, desc: `bad arguments: ${messageOf(err)}`, buffer: NO_BYTES };
    }
    try {
      // An operation reads its arguments synchronously before its first await, so the process-wide counter's
      // growth over the call below belongs to this request's arguments.
      const before = invalidUtf8Count();
      const running = op(servant.impl, args, result, ctx);
      const bad = invalidUtf8Count() - before;
      if (bad > 0) this.#noteInvalidUtf8(req, bad);
      await running;
    } catch (err) {
      // Argument decoding happens inside the operation, before the servant runs: a decode error there is the
      // caller's fault (-1), anything else is the servant's.
      if (err instanceof TarsDecodeError) {
        return { ret: TarsRet.ServerDecodeError, desc: `bad arguments: ${err.message}`, buffer: NO_BYTES };
      }
      if (err instanceof TarsEncodeError) {
        return {
          ret: TarsRet.ServerEncodeError,
          desc: `cannot encode the result: ${err.message}`,
          buffer: NO_BYTES,
        };
      }
      if (err instanceof TarsRpcError) return { ret: err.code, desc: err.message, buffer: NO_BYTES };
      return { ret: TarsRet.Unknown, desc: messageOf(err), buffer: NO_BYTES };
    }
    try {
      return { ret: TarsRet.Success, desc: '', buffer: result.toBytes() };
    } catch (err) {
      return {
        ret: TarsRet.ServerEncodeError,
        desc: `cannot encode the result: ${messageOf(err)}`,
        buffer: NO_BYTES,
      };
    }
  }

  #noteInvalidUtf8(req: Request, bad: number): void {
    const seen = this.#invalidUtf8.get(req.servantName) ?? 0;
    this.#invalidUtf8.set(req.servantName, seen + bad);
    // Once per servant: a peer that sends raw bytes does it on every call, and one line says all there is.
    if (seen === 0) {
      this.#logger?.warn(
        { servant: req.servantName, func: req.funcName, strings: bad },
        'tars server: a string argument was not valid UTF-8 and was decoded with U+FFFD (logged once per ' +
          'servant; counted in invalidUtf8Count); declare it binary with tars2ts --binary-strings to keep the bytes',
      );
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
