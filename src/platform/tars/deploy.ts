/**
 * `tars-ws deploy` / `npm run deploy`: builds the `<ServerName>_<YYYYMMDDHHMMSS>.tgz` a `tars_nodejs` server is
 * published from (the original's `composer run-script deploy`). `<ServerName>/<ServerName>/` holds `src/` (the app)
 * and `tars_nodejs/` (the launcher), which every tarsnode version copies into `<serverDir>/bin/` (deploy-layout.ts).
 *
 * @example
 *   const result = await deployPackage({ root: process.cwd(), progress: console.log });
 *   console.log(result.archive, result.bytes);
 */
import { mkdtemp, mkdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { archiveName, compileProject, installProductionDeps, packFolder } from './deploy-archive.js';
import { deployForm, type DeployForm } from './deploy-form.js';
import {
  APP_FOLDER,
  packageFolder,
  readDescriptor,
  stageAppFiles,
  stageLauncher,
  stageManifests,
  type DeployDescriptor,
} from './deploy-layout.js';

/**
 * How production node_modules get into the package:
 * - `install`: `npm ci --omit=dev` in the staging folder (the default; offline when npm's cache has them);
 * - `link`: a symlink to the project's node_modules, only for packages unpacked on this machine (tests);
 * - `none`: no node_modules (the platform side installs them).
 */
export type DependencyMode = 'install' | 'link' | 'none';

/** Options of {@link deployPackage}; every field but `root` has a default. */
export interface DeployOptions {
  /** Project folder: package.json, package-lock.json, tsconfig.build.json, tars_nodejs/. */
  root: string;
  /** The app's folder relative to `root` (holds tars/ and clients/). Default `examples/chat`. */
  appDir?: string;
  /** The app entry inside the package. Default `dist/<appDir>/main.js`. */
  entry?: string;
  /** Where the archive is written. Default `root`. */
  outDir?: string;
  /** Default `install`. */
  dependencies?: DependencyMode;
  /**
   * A Node binary (20 or later) to ship as `tars_nodejs/node`, which tarsnode then runs instead of the `node` on its
   * PATH; tarsnode before v3.0.5 needs it. Default: none.
   */
  node?: string;
  /** Compiles the project into `<stage>/dist`. Default: `tsc -p tsconfig.build.json --outDir <stage>/dist`. */
  compile?: (root: string, stage: string) => Promise<void>;
  /** Clock for the archive name. Default now. */
  now?: Date;
  /** Receives one line per step. Default: silent. */
  progress?: (line: string) => void;
}

/** What a deploy produced. */
export interface DeployResult {
  /** Absolute path of the .tgz. */
  archive: string;
  bytes: number;
  descriptor: DeployDescriptor;
  /** What the platform's deploy form must say. */
  form: DeployForm;
  ms: number;
}

/** Builds the deploy package; throws a DeployError naming what to fix. */
export async function deployPackage(options: DeployOptions): Promise<DeployResult> {
  const started = Date.now();
  const root = resolve(options.root);
  const appDir = options.appDir ?? 'examples/chat';
  const entry = options.entry ?? `dist/${appDir}/main.js`;
  const outDir = resolve(options.outDir ?? root);
  const progress = options.progress ?? ((): void => undefined);
  const compile = options.compile ?? compileProject;

  const descriptor = readDescriptor(root, appDir);
  const work = await mkdtemp(join(tmpdir(), 'tars-ws-deploy-'));
  try {
    const folder = packageFolder(descriptor.serverName);
    const stage = join(work, folder, APP_FOLDER);
    await mkdir(stage, { recursive: true });
    progress(`[1/5] compiling TypeScript into ${join(folder, APP_FOLDER, 'dist')}`);
    await compile(root, stage);
    progress('[2/5] package.json (production dependencies, "tars-ws".entry) and package-lock.json');
    await stageManifests(root, stage, entry);
    const node = options.node === undefined ? '' : `, ${options.node} -> tars_nodejs/node`;
    progress(`[3/5] launcher (tars_nodejs/${node}), ${appDir}/tars -> ${APP_FOLDER}/tars/, pages`);
    await stageLauncher(root, join(work, folder), options.node);
    await stageAppFiles(root, appDir, stage);
    const mode = options.dependencies ?? 'install';
    progress(`[4/5] production node_modules (${mode})`);
    if (mode === 'install') await installProductionDeps(stage);
    else if (mode === 'link') await symlink(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const archive = join(outDir, archiveName(descriptor.serverName, options.now ?? new Date()));
    progress(`[5/5] packing ${archive}`);
    await mkdir(outDir, { recursive: true });
    await packFolder(work, descriptor.serverName, archive);
    const { size } = await stat(archive);
    return { archive, bytes: size, descriptor, form: deployForm(descriptor), ms: Date.now() - started };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
