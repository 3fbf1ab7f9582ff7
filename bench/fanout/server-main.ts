/**
 * Entry of one server process: `server-main.ts <server name> [profile dir]`, forked by {@link ServerProcess}. Starts
 * the target, answers CPU readings, and exits on `stop` or when the parent goes away, so no server outlives the
 * benchmark. With a profile folder, the V8 CPU profile runs from the first CPU reading to the second (the measured
 * phase, without start-up and connects) and is written there as `<server>-<pid>.cpuprofile`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { isToServer, type FromServer } from './ipc.js';
import { isServerName, SERVERS } from './servers/index.js';

const STOP_GRACE_MS = 3000;

function send(msg: FromServer): void {
  process.send?.(msg);
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!process.send) throw new Error('server-main must be forked with an IPC channel');
  if (target === undefined || !isServerName(target)) {
    throw new Error(`unknown server ${JSON.stringify(target)}`);
  }
  const profiler = process.argv[3] === undefined ? undefined : phaseProfiler(process.argv[3], target);
  const start = await SERVERS[target]();
  const server = await start();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // A server that cannot close in time is cut: the exit still writes the --cpu-prof profile.
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (msg: unknown) => {
    if (!isToServer(msg)) return;
    if (msg.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', id: msg.id, user, system });
      profiler?.toggle();
    } else {
      void stop();
    }
  });
  process.on('disconnect', () => void stop());
  send({ type: 'ready', url: server.url });
}

/** Profiles between the first and second call of `toggle`; later calls do nothing. */
function phaseProfiler(dir: string, target: string): { toggle(): void } {
  const session = new Session();
  session.connect();
  let calls = 0;
  const start = async (): Promise<void> => {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  };
  const stop = async (): Promise<void> => {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${target}-${process.pid}.cpuprofile`), JSON.stringify(profile));
  };
  const report = (err: unknown): void => console.error('profile:', err);
  return {
    toggle() {
      calls += 1;
      if (calls === 1) start().catch(report);
      else if (calls === 2) stop().catch(report);
    },
  };
}

main().catch((err: unknown) => {
  console.error(err);
  const failed: FromServer = { type: 'failed', message: err instanceof Error ? err.message : String(err) };
  // Exit once the message has left: IPC sends are asynchronous.
  setTimeout(() => process.exit(1), 1000).unref();
  if (process.send) process.send(failed, () => process.exit(1));
  else process.exit(1);
});
