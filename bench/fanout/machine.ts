/** The machine a benchmark ran on and the code it ran, for the results files. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  /** 1, 5 and 15 minute load averages when the benchmark started. */
  loadBefore: string;
  /** The 1-minute load average when the benchmark started. */
  load1: number;
  /** Commit of the work tree, `+ uncommitted changes` when it differs from it. */
  commit: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: the model stays unknown.
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    node: process.version,
    loadBefore: loadavg()
      .map((n) => n.toFixed(2))
      .join(', '),
    load1: loadavg()[0] ?? 0,
    commit: gitCommit(),
  };
}

function gitCommit(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no', 'src', 'examples') !== '';
    return git('rev-parse', '--short', 'HEAD') + (dirty ? ' + uncommitted changes in src/ or examples/' : '');
  } catch {
    return 'unknown';
  }
}

/**
 * A line that labels figures taken on a busy machine (1-minute load average at least the number of CPUs before
 * the run), empty otherwise: such figures are noisy and are to be taken again on a quiet machine.
 */
export function loadWarning(machine: MachineInfo): string {
  if (machine.load1 < machine.cpus) return '';
  return (
    `**Taken on a loaded machine** (load average ${machine.load1.toFixed(2)} on ${machine.cpus} CPUs before the ` +
    'run): the figures are noisy; take final figures on a quiet machine.\n\n'
  );
}

/** The head of a results file: the load warning, when the run began, the command, the code and the machine. */
export function resultsHeader(machine: MachineInfo, command: string, startedAt: Date): string {
  return `${loadWarning(machine)}Last run: ${startedAt.toISOString()}

Command: \`${command}\`

Code: ${machine.commit}

Machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, load average before the run
${machine.loadBefore} (the machine is shared; other work may have been running).`;
}
