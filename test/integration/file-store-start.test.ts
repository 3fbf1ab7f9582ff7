import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileRoomStore } from '../../src/file/index.js';
import { startGateway } from '../support/gateway.js';

describe('a single gateway on the file room store', () => {
  it('starts from an empty store: memberships left by an earlier run are stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tars-ws-file-start-'));
    const earlier = await FileRoomStore.open({ dir });
    await earlier.add('room1', 1);
    await earlier.close();
    const gateway = await startGateway({ roomStore: 'file', roomStoreDir: dir });
    assert.deepEqual(await gateway.members('room1'), []);
    await gateway.close();
  });
});
