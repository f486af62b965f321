/**
 * The idle-canary command line: probe | scan | report | logs | demo.
 */
import { demoCommand } from './commands/demo';
import { LOGS_USAGE, logsCommand } from './commands/logs';
import { PROBE_USAGE, probeCommand } from './commands/probe';
import { REPORT_USAGE, reportCommand } from './commands/report';
import { SCAN_USAGE, scanCommand } from './commands/scan';
import { EXIT } from './exit-code';
import type { CommandIo } from './io';
import { UsageError } from './usage-error';
import { printable } from '../lambda/shared/printable';

const USAGE = `usage: idle-canary <command> [options]
commands:
  probe TARGET...   measure how long backends tolerate idle connections
  scan              discover a region's load balancers, probe their backends, judge each one
  report RUN.json    render a saved run: terminal, --markdown or --html FILE
  logs FILE...      count backend hang-ups in downloaded load balancer access logs
  demo              probe four local demo backends (about 10 s)
Run 'idle-canary <command> --help' for its flags.`;

/**
 * Runs one command and returns the exit status; never throws for bad input.
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'probe':
        return await probeCommand(rest, io);
      case 'scan':
        return await scanCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case 'logs':
        return await logsCommand(rest, io);
      case 'demo':
        return await demoCommand(io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.badInput : 0;
      default:
        throw new UsageError(`unknown command "${command}": expected probe, scan, report, logs or demo`);
    }
  } catch (error) {
    // Usage only for what was typed wrong; an AWS failure halfway through is its own line.
    const usage = error instanceof UsageError ? `${{ probe: PROBE_USAGE, scan: SCAN_USAGE, report: REPORT_USAGE, logs: LOGS_USAGE }[command as string] ?? "Run 'idle-canary --help' for usage."}\n` : '';
    io.stderr.write(`idle-canary: ${printable((error as Error).message)}\n${usage}`);
    return EXIT.badInput;
  }
}
