/**
 * Python commands the tests need (cfn-lint, moto's server), installed with pip on first use.
 *
 * Why in the tests, not in `.ci/run`: `npm ci && npm test` on a fresh machine must pass with
 * nothing installed beforehand, as the Debian packages of `debian.ts` do.
 */
import { spawnSync } from 'node:child_process';
import { reportFirstUse } from './first-use';
import { lastLine } from './last-line';

/** How long `command --help` may take to show the command runs (cfn-lint's takes about 2 s). */
const CHECK_TIMEOUT_MS = 60_000;

/** How long pip may take: without it, pip's retries against an unreachable index last many minutes. */
const INSTALL_TIMEOUT_MS = 300_000;

/** Whether `command --help` runs and exits 0, within its bound. */
const runs = (command: string): boolean => spawnSync(command, ['--help'], { stdio: 'ignore', timeout: CHECK_TIMEOUT_MS }).status === 0;

/** Commands already seen to run: each is checked once per test file, not once per call. */
const ready = new Set<string>();

/**
 * Returns `command`, first installing the Python package `pkg` with pip when `command --help`
 * does not run; throws one line naming what failed when it cannot be made to run.
 *
 * Why synchronous and bounded: callers spawn the command synchronously inside a test, where
 * jest's timeout cannot interrupt a hung child.
 *
 * @example
 * spawnSync(ensurePythonCommand('cfn-lint', 'cfn-lint'), ['--version']);
 */
export function ensurePythonCommand(command: string, pkg: string): string {
  if (!ready.has(command) && !runs(command)) {
    const started = Date.now();
    const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', pkg], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
    const failed = (why: string) => new Error(`${command} is missing and \`python3 -m pip install ${pkg}\` ${why}`);
    if ((pip.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw failed(`took more than ${INSTALL_TIMEOUT_MS / 1000} s: stopped`);
    if (pip.error !== undefined) throw failed(`could not run: ${pip.error.message}`);
    if (pip.status !== 0) throw failed(`failed (exit ${pip.status}): ${lastLine(pip.stderr)}`);
    if (!runs(command)) throw new Error(`pip installed ${pkg}, but \`${command} --help\` still does not run: is pip's script folder on PATH?`);
    reportFirstUse(`installed ${pkg} with pip`, started);
  }
  ready.add(command);
  return command;
}
