/**
 * How the chat calls a Tars service (the original guideline's "call a Tars service" step): a generated HelloProxy
 * over an ObjectProxy. Tars failures (no server, timeout, servant error) become a 502 / error reply naming the
 * service and the Tars code, never a hang: every call has a timeout.
 */
import { ErrorCode, GatewayError, type Logger } from '../../src/index.js';
import { ObjectProxy, TarsRpcError } from '../../src/tars/index.js';
import { HelloProxy } from './generated/hello.js';

/** Default address of the Hello server started by `npm run hello-server`. */
export const DEFAULT_HELLO_OBJ = 'TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p 18600 -t 3000';

export interface HelloClient {
  hello(no: number, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * @param address `App.Server.Obj@tcp -h HOST -p PORT -t MS` (env HELLO_OBJ in the demo)
 * @param timeoutMs per-call timeout
 */
export function createHelloClient(address: string, logger: Logger, timeoutMs = 3000): HelloClient {
  const invoker = new ObjectProxy(address, {
    timeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 1000),
    logger: logger.child({ component: 'hello-client' }),
  });
  const proxy = new HelloProxy(invoker);
  return {
    async hello(no, name) {
      try {
        return (await proxy.hello(no, name)).ret;
      } catch (err) {
        const code = err instanceof TarsRpcError ? err.code : -99;
        const why = err instanceof Error ? err.message : String(err);
        logger.warn({ service: invoker.name, code, err: why }, 'Tars call failed');
        throw new GatewayError(ErrorCode.Upstream, `${invoker.name} failed (Tars code ${code}): ${why}`, {
          cause: err,
        });
      }
    },
    close: () => invoker.close(1000),
  };
}

/** Parses the `no` argument of hello: an int32. */
export function parseNo(raw: string): number {
  const no = Number(raw);
  if (!Number.isInteger(no) || no < -(2 ** 31) || no >= 2 ** 31) {
    throw new GatewayError(ErrorCode.BadParam, '"no" must be a 32-bit integer');
  }
  return no;
}
