/**
 * Child process for the multi-process file-store test: opens the store, says "ready", waits for "go" on stdin, then
 * adds connection ids [first, first + count) to one room, one awaited add at a time so that every add competes for
 * the lock with the other processes. Usage: room-store-file-worker.ts <dir> <room> <first> <count>
 */
import { once } from 'node:events';
import { FileRoomStore } from '../../src/file/room-store-file.js';

const [dir, room, first, count] = process.argv.slice(2);
if (dir === undefined || room === undefined || first === undefined || count === undefined) {
  throw new Error('usage: room-store-file-worker.ts <dir> <room> <first> <count>');
}
const store = await FileRoomStore.open({ dir });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
for (let conn = Number(first); conn < Number(first) + Number(count); conn++) {
  if (!(await store.add(room, conn))) throw new Error(`add of ${conn} reported a duplicate`);
}
await store.close();
process.stdout.write('done\n');
