/**
 * A small Tars servant for the chat demo and the interop tests: `TestApp.HelloServer.HelloObj` with
 * `string hello(int no, string name)` answering `hello <name> #<no>`.
 *
 * Run: `npm run hello-server` (or `npx tsx examples/chat/hello-server.ts --host 127.0.0.1 --port 18600`);
 * HOST/PORT environment variables work too. Call it with
 * `TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p 18600 -t 3000`.
 */
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { TarsServer } from '../../src/tars/index.js';
import { HelloServant } from './generated/hello.js';

/** The servant's name on the Tars platform. */
export const HELLO_SERVANT = 'TestApp.HelloServer.HelloObj';

/** Our implementation of `interface Hello` (examples/chat/tars/hello.tars). */
export class HelloImpl extends HelloServant {
  hello(no: number, name: string): string {
    return `hello ${name} #${no}`;
  }
}

/** Starts the Hello server; resolves once it listens. */
export async function startHelloServer(
  host: string,
  port: number,
  logger = pino({ level: 'info' }),
): Promise<TarsServer> {
  const server = new TarsServer({ host, port, logger });
  server.addServant(HELLO_SERVANT, new HelloImpl(), HelloServant.operations);
  await server.listen();
  return server;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const host = flag('host') ?? process.env.HOST ?? '127.0.0.1';
  const port = Number(flag('port') ?? process.env.PORT ?? 18600);
  const logger = pino({ level: 'info' });
  const server = await startHelloServer(host, port, logger);
  logger.info(`call it with ${HELLO_SERVANT}@${server.endpoint}`);
  const stop = (): void => {
    void server.close(3000).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
