/**
 * The idle-canary command line: probe | scan | report | logs | demo.
 */
import { EXIT } from './exit-code';
import type { CommandIo } from './io';
import { UsageError } from './usage-error';
import { version } from './version';
import { printable } from '../lambda/shared/printable';

const USAGE = `usage: idle-canary <command> [options]
commands:
  probe TARGET...   measure how long backends tolerate idle connections
  scan              discover a region's load balancers, probe their backends, judge each one
  report RUN.json    render a saved run: terminal, --markdown or --html FILE
  logs FILE...      count backend hang-ups in downloaded load balancer access logs
  demo              probe four local demo backends (about 10 s)
Run 'idle-canary <command> --help' for its flags, 'idle-canary --version' for the version.
Result JSON, metrics and exit codes: docs/CONTRACTS.md.`;

interface Command {
  readonly run: (argv: readonly string[], io: CommandIo) => Promise<number>;
  readonly usage: string;
}

/**
 * Each command's module, loaded only when that command runs.
 *
 * Why lazy: `scan` pulls in the AWS SDK and `report` the renderers; `--help` or `probe` on a
 * bastion host should not pay for them at every start.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  probe: async () => import('./commands/probe').then((m) => ({ run: m.probeCommand, usage: m.PROBE_USAGE })),
  scan: async () => import('./commands/scan').then((m) => ({ run: m.scanCommand, usage: m.SCAN_USAGE })),
  report: async () => import('./commands/report').then((m) => ({ run: m.reportCommand, usage: m.REPORT_USAGE })),
  logs: async () => import('./commands/logs').then((m) => ({ run: m.logsCommand, usage: m.LOGS_USAGE })),
  demo: async () => import('./commands/demo').then((m) => ({ run: m.demoCommand, usage: m.DEMO_USAGE })),
};

/**
 * Runs one command and returns the exit status; never throws for bad input.
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  const load = command === undefined ? undefined : COMMANDS[command];
  if (load === undefined) return topLevel(command, io);
  // `--version` anywhere among a command's own flags (not after `--`), as `--help` is; it
  // needs nothing of the command, so its module is not even loaded.
  const flags = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flags.includes('--version')) {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const { run, usage } = await load();
  try {
    return await run(rest, io);
  } catch (error) {
    // Usage only for what was typed wrong; an AWS failure halfway through is its own line.
    io.stderr.write(`idle-canary: ${printable((error as Error).message)}\n${error instanceof UsageError ? `${usage}\n` : ''}`);
    return EXIT.badInput;
  }
}

/** What `idle-canary` says with no command, `--help`, `--version` or an unknown word. */
function topLevel(command: string | undefined, io: CommandIo): number {
  switch (command) {
    case '--version':
    case '-v':
      io.stdout.write(`${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(`${USAGE}\n`);
      return command === undefined ? EXIT.badInput : 0;
    default:
      io.stderr.write(`idle-canary: unknown command "${command}": expected probe, scan, report, logs or demo\nRun 'idle-canary --help' for usage.\n`);
      return EXIT.badInput;
  }
}
