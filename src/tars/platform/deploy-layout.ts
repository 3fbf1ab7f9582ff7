/**
 * What goes into a deploy package and where: the folder tarsnode copies into `<serverDir>/bin/`. Kept apart from
 * the steps that run commands so the layout reads in one place:
 *
 *   <ServerName>/package.json            the project's, without devDependencies, with "tars-ws".entry
 *   <ServerName>/package-lock.json
 *   <ServerName>/node_modules/           production dependencies only
 *   <ServerName>/dist/                   compiled JS (src/ and the app)
 *   <ServerName>/tars/                   the app's tars/ folder: tars.proto.json, IDLs
 *   <ServerName>/<appDir>/clients/       the pages, where the compiled app looks for them
 *   <ServerName>/tars_nodejs/node-agent/bin/node-agent   the launcher tarsnode starts
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeployError, DeployErrorCode } from './deploy-errors.js';

/** The launcher's path inside the package; fixed by tarsnode's start command. */
export const LAUNCHER_PATH = 'tars_nodejs/node-agent/bin/node-agent';

/** The names the platform knows the service by (the app's `tars/tars.proto.json`). */
export interface DeployDescriptor {
  appName: string;
  serverName: string;
  /** The not-tars (WebSocket/HTTP) servant's object name, e.g. `WsObj`. */
  objName: string;
}

/** Reads `<root>/<appDir>/tars/tars.proto.json`; fails with the file name and the missing key. */
export function readDescriptor(root: string, appDir: string): DeployDescriptor {
  const file = join(root, appDir, 'tars', 'tars.proto.json');
  if (!existsSync(file)) {
    throw new DeployError(
      DeployErrorCode.Descriptor,
      `${file} is missing: create it with {"appName": ..., "serverName": ..., "objName": ...}, the names on the platform`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DeployError(DeployErrorCode.Descriptor, `${file} is not valid JSON`, { cause: err });
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const name = (key: keyof DeployDescriptor): string => {
    const v = record[key];
    // The names become a file name and servant names: no separators, no dots.
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]+$/.test(v)) {
      throw new DeployError(
        DeployErrorCode.Descriptor,
        `${file}: "${key}" must be a name of letters, digits, _ or -`,
      );
    }
    return v;
  };
  return { appName: name('appName'), serverName: name('serverName'), objName: name('objName') };
}

type Json = Record<string, unknown>;

function readJson(file: string): Json {
  if (!existsSync(file)) throw new DeployError(DeployErrorCode.MissingFile, `${file} is missing`);
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/**
 * The package.json that ships: the project's identity and runtime dependencies, `main` and `"tars-ws".entry`
 * pointing at the app entry (the launcher reads the latter, else `main`), no dev tooling.
 */
export function packageManifest(project: Json, entry: string): Json {
  const keep = ['name', 'version', 'description', 'type', 'license', 'engines', 'dependencies'];
  const out: Json = {};
  for (const key of keep) if (project[key] !== undefined) out[key] = project[key];
  out.private = true;
  out.main = entry;
  out.scripts = { start: `node ${entry}` };
  out['tars-ws'] = { entry };
  return out;
}

/** Writes package.json and package-lock.json into `stage`. */
export async function stageManifests(root: string, stage: string, entry: string): Promise<void> {
  const project = readJson(join(root, 'package.json'));
  const lock = join(root, 'package-lock.json');
  if (!existsSync(lock)) {
    throw new DeployError(
      DeployErrorCode.MissingFile,
      `${lock} is missing: run npm install once to create it`,
    );
  }
  await writeFile(
    join(stage, 'package.json'),
    `${JSON.stringify(packageManifest(project, entry), null, 2)}\n`,
  );
  await cp(lock, join(stage, 'package-lock.json'));
}

/** Copies the launcher folder, the app's tars/ folder and its pages into `stage`. */
export async function stageAppFiles(root: string, appDir: string, stage: string): Promise<void> {
  const launcher = join(root, LAUNCHER_PATH);
  if (!existsSync(launcher)) {
    throw new DeployError(
      DeployErrorCode.MissingFile,
      `${launcher} is missing: tarsnode starts the service through it, so the package cannot work without it`,
    );
  }
  await cp(join(root, 'tars_nodejs'), join(stage, 'tars_nodejs'), { recursive: true });
  await cp(join(root, appDir, 'tars'), join(stage, 'tars'), { recursive: true });
  const pages = join(root, appDir, 'clients');
  if (existsSync(pages)) {
    await mkdir(join(stage, appDir), { recursive: true });
    await cp(pages, join(stage, appDir, 'clients'), { recursive: true });
  }
}
