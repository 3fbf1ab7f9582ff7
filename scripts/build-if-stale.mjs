#!/usr/bin/env node
// `npm start`'s build step: runs `tsc -p tsconfig.build.json` (incremental) only when an input is newer than the
// last build, so a start with nothing changed costs a directory walk instead of a type check. The inputs are what
// tsconfig.build.json includes (src/, examples/), both tsconfig files and package-lock.json (dependency types);
// `--force` always builds; `--dry-run` only says whether it would. `npm run build` still runs tsc unconditionally.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const STAMP = 'dist/.tsbuildinfo'; // tsBuildInfoFile of tsconfig.build.json: written by every build
const ENTRY = 'dist/examples/chat/main.js'; // what `npm start` runs: missing means no build, whatever the stamp says
const INPUT_DIRS = ['src', 'examples'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest modification time under `dir` (0 for a missing folder). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = statSync(dir).mtimeMs; // a deleted or renamed file changes its folder's time
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

function stale() {
  if (process.argv.includes('--force') || !existsSync(STAMP) || !existsSync(ENTRY)) return true;
  const built = statSync(STAMP).mtimeMs;
  const inputs = [
    ...INPUT_DIRS.map(newest),
    ...INPUT_FILES.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)),
  ];
  return inputs.some((t) => t > built);
}

if (process.argv.includes('--dry-run')) {
  console.log(stale() ? 'build: needed' : 'build: up to date');
  process.exit(0);
}
if (!stale()) {
  console.log(`build: dist is up to date (nothing in ${INPUT_DIRS.join(', ')} changed since the last build)`);
  process.exit(0);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// An input touched without a change leaves the build info as it was: mark this build as the newest anyway.
if (res.status === 0 && existsSync(STAMP)) utimesSync(STAMP, new Date(), new Date());
process.exit(res.status ?? 1);
