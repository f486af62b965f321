/**
 * Where a command writes, so that tests can run commands in-process.
 */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Whether stdout/stderr are terminals: live progress only then. */
  readonly isTTY: boolean;
  /**
   * Colours and terminal escapes (`NO_COLOR`, `FORCE_COLOR`, see `wantsColor`).
   * @default isTTY
   */
  readonly color?: boolean;
  /** Aborts the run (Ctrl-C); what was measured is still reported. */
  readonly signal?: AbortSignal;
}

/** Whether the command may colour its output and use terminal escapes. */
export function colorOf(io: CommandIo): boolean {
  return io.color ?? io.isTTY;
}
