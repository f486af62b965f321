/**
 * Runs a command the way a user's shell would, for the packaging tests: its exit status and
 * output, never a throw on a non-zero status.
 */
import { execFile } from 'node:child_process';

export interface CommandRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: without the `npm_*` variables of the `npm test` running
 * the tests, which would steer the npm commands run inside them, nor the switch that turns CDK's
 * built-in validation off in the tests' own synths (test/support/jest-env.ts): a user's synth has it.
 */
export const USER_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'CDK_VALIDATION'));

/** Runs `file args` in `cwd`, for at most `timeoutMs`. */
export function runIn(cwd: string, file: string, args: readonly string[], { timeoutMs = 120_000, env = USER_ENV } = {}): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env, timeout: timeoutMs, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ status, stdout, stderr });
    });
  });
}
