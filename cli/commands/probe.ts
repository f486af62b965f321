/**
 * `idle-canary probe TARGET... [flags]`: measure backends by hand.
 */
import { probeTargets, type ProbeJob, type ProbeOptions, type ProbeResult } from '../../lambda/probe';
import { renderTerminalReport } from '../../lambda/report/terminal';
import { asScanReport } from '../../lambda/report/normalize';
import { parseProbeArgs } from '../args';
import { exitCodeOf, withReport } from '../exit-code';
import { safeJson } from '../../lambda/shared/printable';
import { colorOf, type CommandIo } from '../io';
import { processSocketCap } from '../fd-limit';
import { Progress } from '../progress';
import { checkReportPath, writeReportAfterRun } from '../report-file';

/**
 * Runs the probe command and returns its exit status.
 *
 * @example
 * process.exitCode = await probeCommand(['127.0.0.1:8080', '--json'], { stdout: process.stdout, stderr: process.stderr, isTTY: false });
 */
export async function probeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const command = parseProbeArgs(argv);
  await checkReportPath(command.report);
  const results = await probeWithProgress(command.jobs, command.options, io, !command.json);
  // The results first: a report that cannot be written must not take them along.
  io.stdout.write(command.json ? `${safeJson(results.length === 1 ? results[0] : results)}\n` : renderTerminalReport(results, { color: colorOf(io) }));
  const written = await writeReportAfterRun(command.report, asScanReport(results), io.stderr);
  return withReport(exitCodeOf(results), written);
}

/**
 * Probes with live progress on stderr when a person is watching.
 */
export async function probeWithProgress(jobs: readonly ProbeJob[], options: ProbeOptions, io: CommandIo, human: boolean): Promise<ProbeResult[]> {
  const progress = human ? new Progress({ stream: io.stderr, statusLine: io.isTTY, escapes: colorOf(io) }) : undefined;
  try {
    // Sockets within the file descriptors this process may open (`ulimit -n`), not Lambda's.
    return await probeTargets(jobs, { maxOpenSockets: processSocketCap(), ...options, signal: io.signal, onEvent: progress?.onEvent });
  } finally {
    progress?.stop();
  }
}
