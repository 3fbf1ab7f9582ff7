/**
 * What goes into a deploy package and where. Kept apart from the steps that run commands so the layout reads in one
 * place. The archive nests the server folder twice, as @tars/deploy does, because tarsnode before v3.0.4 copies
 * `<extract>/<ServerName>/<ServerName>/` into `<serverDir>/bin/` and later ones descend while a folder holds a
 * single sub-folder: both end with the same bin/. The app sits in `src/` because tarsnode before v3.0.5 starts the
 * launcher on `<bin>/src/` (later ones search the first package.json, which is the same file).
 *
 *   <ServerName>/<ServerName>/src/package.json        the project's, without devDependencies, with "tars-ws".entry
 *   <ServerName>/<ServerName>/src/package-lock.json
 *   <ServerName>/<ServerName>/src/node_modules/       production dependencies only
 *   <ServerName>/<ServerName>/src/dist/               compiled JS (src/ and the app)
 *   <ServerName>/<ServerName>/src/tars/               the app's tars/ folder: tars.proto.json, IDLs
 *   <ServerName>/<ServerName>/src/<appDir>/clients/   the pages, where the compiled app looks for them
 *   <ServerName>/<ServerName>/src/src/http/admin/page/   the admin dashboard's page, likewise
 *   <ServerName>/<ServerName>/tars_nodejs/node-agent/bin/node-agent   the launcher tarsnode starts
 *   <ServerName>/<ServerName>/tars_nodejs/node        optional: the Node binary tarsnode runs (`--node FILE`)
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { nodeMajorVersion } from './deploy-archive.js';
import { DeployError, DeployErrorCode } from './deploy-errors.js';
import { DESCRIPTOR_PATH, loadServiceDescriptor, type ServiceDescriptor } from './service-descriptor.js';

/** The launcher's path inside the package; fixed by tarsnode's start command. */
export const LAUNCHER_PATH = 'tars_nodejs/node-agent/bin/node-agent';
/** The Node binary tarsnode runs when the package carries one (before v3.0.5 it must). */
export const NODE_BINARY_PATH = 'tars_nodejs/node';
/** The app's folder in the package, next to tars_nodejs/: what tarsnode before v3.0.5 gives the launcher. */
export const APP_FOLDER = 'src';
/** The oldest Node major version the project runs on (package.json engines). */
export const MIN_NODE_MAJOR = 20;

/** `<ServerName>/<ServerName>`: the archive's folder whose contents land in bin/ (see the module comment). */
export function packageFolder(serverName: string): string {
  return join(serverName, serverName);
}

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

/**
 * Copies the launcher folder into `<folder>/tars_nodejs/`, and `node` (a Node binary, checked to be Node 20 or
 * later) to `<folder>/tars_nodejs/node` when given.
 */
export async function stageLauncher(root: string, folder: string, node?: string): Promise<void> {
  const launcher = join(root, LAUNCHER_PATH);
  if (!existsSync(launcher)) {
    throw new DeployError(
      DeployErrorCode.MissingFile,
      `${launcher} is missing: tarsnode starts the service through it, so the package cannot work without it`,
    );
  }
  await cp(join(root, 'tars_nodejs'), join(folder, 'tars_nodejs'), { recursive: true });
  if (node === undefined) return;
  if (!existsSync(node)) throw new DeployError(DeployErrorCode.NodeBinary, `--node ${node}: no such file`);
  const major = await nodeMajorVersion(node);
  if (major < MIN_NODE_MAJOR) {
    throw new DeployError(
      DeployErrorCode.NodeBinary,
      `--node ${node} is Node ${major}: tars-ws needs Node ${MIN_NODE_MAJOR} or later`,
    );
  }
  const target = join(folder, NODE_BINARY_PATH);
  // dereference: a `node` found through a symlink (nvm, /usr/bin/node -> ...) ships as the file itself.
  await cp(node, target, { dereference: true });
  await chmod(target, 0o755);
}

/** The admin dashboard's page in the project (tsc does not copy it; the compiled dashboard looks back there). */
export const ADMIN_PAGE_PATH = 'src/http/admin/page';

/** Copies the app's tars/ folder, its pages and the admin dashboard's page into `stage` (the package's src/). */
export async function stageAppFiles(root: string, appDir: string, stage: string): Promise<void> {
  await cp(join(root, appDir, 'tars'), join(stage, 'tars'), { recursive: true });
  if (existsSync(join(root, ADMIN_PAGE_PATH))) {
    await cp(join(root, ADMIN_PAGE_PATH), join(stage, ADMIN_PAGE_PATH), { recursive: true });
  }
  const pages = join(root, appDir, 'clients');
  if (existsSync(pages)) {
    await mkdir(join(stage, appDir), { recursive: true });
    await cp(pages, join(stage, appDir, 'clients'), { recursive: true });
  }
}
