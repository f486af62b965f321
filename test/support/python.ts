/**
 * Python commands the tests need (cfn-lint, moto's server), installed with pip on first use.
 *
 * Why in the tests, not in `.ci/run`: `npm ci && npm test` on a fresh machine must pass with
 * nothing installed beforehand, as the Debian packages of `debian.ts` do.
 */
import { spawnSync } from 'node:child_process';

/**
 * Returns `command`, first installing the Python package `pkg` with pip when `command --help`
 * does not run.
 *
 * @example
 * spawnSync(ensurePythonCommand('cfn-lint', 'cfn-lint'), ['--version']);
 */
export function ensurePythonCommand(command: string, pkg: string): string {
  if (spawnSync(command, ['--help'], { stdio: 'ignore' }).status === 0) return command;
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', pkg], { encoding: 'utf8' });
  if (pip.status !== 0) throw new Error(`${command} is missing and pip could not install ${pkg}: ${pip.stderr.trim().split('\n').at(-1)}`);
  return command;
}
