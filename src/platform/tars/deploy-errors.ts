/** Why `tars-ws deploy` stopped: each case names the file or the command to fix. */

/** What went wrong while building a deploy package. */
export const DeployErrorCode = {
  /** `<app>/tars/tars.proto.json` is missing or lacks appName/serverName/objName. */
  Descriptor: 'DESCRIPTOR',
  /** A file the package must carry is missing (package.json, package-lock.json, the launcher). */
  MissingFile: 'MISSING_FILE',
  /** The Node binary given to ship (`--node FILE`) is missing, does not run, or is older than Node 20. */
  NodeBinary: 'NODE_BINARY',
  /** A command (tsc, npm ci, tar) failed; the message holds its output. */
  Command: 'COMMAND',
} as const;
export type DeployErrorCode = (typeof DeployErrorCode)[keyof typeof DeployErrorCode];

/** Thrown by {@link deployPackage}; the CLI prints the message and exits 1. */
export class DeployError extends Error {
  readonly code: DeployErrorCode;
  constructor(code: DeployErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeployError';
    this.code = code;
  }
}
