/**
 * The idle-canary command line: probe | demo (scan and report come with discovery and reports).
 */
import { demoCommand } from './commands/demo';
import { PROBE_USAGE, probeCommand } from './commands/probe';
import { EXIT } from './exit-code';
import type { CommandIo } from './io';

const USAGE = `usage: idle-canary <command> [options]
commands:
  probe TARGET...   measure how long backends tolerate idle connections
  demo              probe four local demo backends (about 15 s)
Run 'idle-canary probe --help' for the probe's flags.`;

/**
 * Runs one command and returns the exit status; never throws for bad input.
 */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'probe':
        return await probeCommand(rest, io);
      case 'demo':
        return await demoCommand(io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT.badInput : 0;
      default:
        throw new Error(`unknown command "${command}": expected probe or demo`);
    }
  } catch (error) {
    io.stderr.write(`idle-canary: ${(error as Error).message}\n${command === 'probe' ? PROBE_USAGE : "Run 'idle-canary --help' for usage."}\n`);
    return EXIT.badInput;
  }
}
