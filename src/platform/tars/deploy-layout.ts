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
import { ConfigError } from '../../errors.js';
import { DeployError, DeployErrorCode } from './deploy-errors.js';
import { DESCRIPTOR_PATH, loadServiceDescriptor, type ServiceDescriptor } from './service-descriptor.js';

/** The launcher's path inside the package; fixed by tarsnode's start command. */
export const LAUNCHER_PATH = 'tars_nodejs/node-agent/bin/node-agent';

/** The names the platform knows the service by (the app's `tars/tars.proto.json`). */
export type DeployDescriptor = ServiceDescriptor;

/**
 * Reads `<root>/<appDir>/tars/tars.proto.json` with the launcher's own reader, so a package that builds is one the
 * launcher accepts; fails with the file name and the bad key.
 */
export function readDescriptor(root: string, appDir: string): DeployDescriptor {
  const dir = join(root, appDir);
  let descriptor: ServiceDescriptor | undefined;
  try {
    descriptor = loadServiceDescriptor(dir);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new DeployError(DeployErrorCode.Descriptor, err.message, { cause: err });
  }
  if (descriptor === undefined) {
    throw new DeployError(
      DeployErrorCode.Descriptor,
      `${join(dir, DESCRIPTOR_PATH)} is missing: create it with {"appName": ..., "serverName": ..., "objName": ...}, the names on the platform`,
    );
  }
  return descriptor;
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
