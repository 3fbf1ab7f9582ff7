/** `npm start`'s build step decides from the build stamp and the entry file, so a stamp without output rebuilds. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const SCRIPT = resolve('scripts/build-if-stale.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tars-ws-build-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function decide(): string {
  return execFileSync(process.execPath, [SCRIPT, '--dry-run'], { cwd: dir, encoding: 'utf8' }).trim();
}

describe('npm start build step', () => {
  const past = new Date(Date.now() - 60_000);
  for (const d of ['src', 'examples', 'dist']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'src', 'a.ts'), '');
  for (const p of ['src/a.ts', 'src', 'examples']) utimesSync(join(dir, p), past, past);

  it('builds when the stamp is there but the entry is not (a type check without output wrote the stamp)', () => {
    writeFileSync(join(dir, 'dist', '.tsbuildinfo'), '{}');
    assert.equal(decide(), 'build: needed');
  });

  it('skips the build when the entry exists and nothing changed since the stamp', () => {
    mkdirSync(join(dir, 'dist', 'examples', 'chat'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'examples', 'chat', 'main.js'), '');
    assert.equal(decide(), 'build: up to date');
  });

  it('builds when a source is newer than the stamp', () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'src', 'a.ts'), future, future);
    assert.equal(decide(), 'build: needed');
  });
});
