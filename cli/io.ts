/**
 * Where a command writes, so that tests can run commands in-process.
 */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Whether stdout/stderr are terminals: live progress and colours only then. */
  readonly isTTY: boolean;
  /** Aborts the run (Ctrl-C); what was measured is still reported. */
  readonly signal?: AbortSignal;
}
