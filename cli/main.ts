/**
 * The idle-canary command line: probe | scan | report | logs | demo.
 */
import { EXIT } from './exit-code';
import type { CommandIo } from './io';
import { UsageError } from './usage-error';
import { COMMAND_NAMES, COMMAND_USAGE, USAGE, type CommandName } from './usage';
import { version } from './version';
import { printable } from '../lambda/shared/printable';

/** A command's entry point: its arguments (without the command's name) to an exit status. */
type CommandRun = (argv: readonly string[], io: CommandIo) => Promise<number>;

/**
 * Each command's module, loaded only when that command runs.
 *
 * Why lazy: `scan` pulls in the AWS SDK and `report` the renderers; `probe` on a bastion host
 * should not pay for them at every start.
 */
const COMMANDS: Readonly<Record<CommandName, () => Promise<CommandRun>>> = {
  probe: async () => (await import('./commands/probe')).probeCommand,
  scan: async () => (await import('./commands/scan')).scanCommand,
  report: async () => (await import('./commands/report')).reportCommand,
  logs: async () => (await import('./commands/logs')).logsCommand,
  demo: async () => (await import('./commands/demo')).demoCommand,
};

/**
 * Runs one command and returns the exit status; never throws for bad input.
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!isCommandName(command)) return topLevel(command, io);
  const usage = COMMAND_USAGE[command];
  // `--help` and `--version` anywhere among a command's own flags (not after `--`): they need
  // nothing of the command, so its module is not even loaded.
  const flags = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flags.includes('--help') || flags.includes('-h')) {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  if (flags.includes('--version')) {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    const run = await COMMANDS[command]();
    return await run(rest, io);
  } catch (error) {
    // Usage only for what was typed wrong; an AWS failure halfway through is its own line.
    io.stderr.write(`idle-canary: ${printable((error as Error).message)}\n${error instanceof UsageError ? `${usage}\n` : ''}`);
    return EXIT.badInput;
  }
}

function isCommandName(word: string | undefined): word is CommandName {
  return (COMMAND_NAMES as readonly (string | undefined)[]).includes(word);
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
      io.stderr.write(`idle-canary: unknown command "${printable(command)}": expected ${COMMAND_NAMES.slice(0, -1).join(', ')} or ${COMMAND_NAMES.at(-1)}\nRun 'idle-canary --help' for usage.\n`);
      return EXIT.badInput;
  }
}
