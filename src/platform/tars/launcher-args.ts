/** The launcher's command line: what tarsnode passes (`<app dir> -c <conf>`). */
import { ConfigError } from '../../errors.js';

/** `<app dir> -c <conf>` (also `--config <conf>`, `--config=<conf>`, in any order). */
export function parseLauncherArgs(argv: readonly string[]): { appDir: string; confFile: string } {
  let appDir: string | undefined;
  let confFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-c' || arg === '--config') confFile = argv[++i];
    else if (arg.startsWith('--config=')) confFile = arg.slice('--config='.length);
    else if (arg.startsWith('-'))
      throw new ConfigError(arg, 'unknown option; usage: node-agent <app dir> -c <conf>');
    else if (appDir === undefined) appDir = arg;
    else throw new ConfigError(arg, 'unexpected argument; usage: node-agent <app dir> -c <conf>');
  }
  if (appDir === undefined)
    throw new ConfigError('app dir', 'missing; usage: node-agent <app dir> -c <conf>');
  if (confFile === undefined || confFile === '') {
    throw new ConfigError('-c', 'missing Tars config file; usage: node-agent <app dir> -c <conf>');
  }
  return { appDir, confFile };
}
