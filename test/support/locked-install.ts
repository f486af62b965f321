/**
 * A first-use install run once per machine however many jest workers ask for it at once: a
 * shell script under `flock`, bounded by `timeout`, its failure one line.
 *
 * Why one mechanism: Debian's packages and old Node.js binaries are both installed by
 * workers in parallel; without the lock two of them fetched the same Node.js release at once
 * (20.20.2 and 22.23.3, twice each, on a fresh clone), and apt-get's own locks failed a racer.
 * Why `timeout` around `flock`: on expiry it signals its whole process group, so the install
 * itself stops, not only the shell that started it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { lastLine } from './last-line';

const run = promisify(execFile);

/** One install: the lock it holds, the script that installs unless already done, its bound. */
export interface LockedInstall {
  /** The lock file; workers (and clones) that share it install one at a time. */
  readonly lock: string;
  /**
   * A POSIX shell script that installs and then prints `INSTALLED` on a line of its own, and
   * does nothing when what it installs is there.
   */
  readonly script: string;
  /** Seconds the install may take, waiting for the lock included. */
  readonly timeoutS: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** What an install's script prints once it installed (not when another worker had). */
export const INSTALLED = 'INSTALLED';

/**
 * Runs the install: `true` when this call installed, `false` when it was already there (or
 * another worker installed it meanwhile); throws `failed(why)`'s error, `why` one line, when
 * it fails or runs out of time.
 *
 * @example
 * await lockedInstall({ lock: '/tmp/x.lock', script: `test -e /usr/sbin/nginx || { apt-get install -y nginx && echo ${INSTALLED}; }`, timeoutS: 300 }, (why) => new Error(`nginx: ${why}`));
 */
export async function lockedInstall(install: LockedInstall, failed: (why: string) => Error): Promise<boolean> {
  try {
    const { stdout } = await run('timeout', bounded(install), { maxBuffer: 1 << 24, env: install.env ?? process.env });
    return stdout.split('\n').includes(INSTALLED);
  } catch (error) {
    const { code, stderr } = error as { code?: number | string; stderr?: string };
    throw failure(install, failed, code, stderr);
  }
}

/**
 * `lockedInstall` for a caller that must stay synchronous (`ensurePythonCommand`): the same
 * install, lock and bound, the event loop held meanwhile.
 *
 * @example
 * lockedInstallSync({ lock: '/tmp/x.lock', script: `test -e /usr/bin/pip3 || { apt-get install -y python3-pip && echo ${INSTALLED}; }`, timeoutS: 300 }, (why) => new Error(`pip: ${why}`));
 */
export function lockedInstallSync(install: LockedInstall, failed: (why: string) => Error): boolean {
  const done = spawnSync('timeout', bounded(install), { encoding: 'utf8', maxBuffer: 1 << 24, env: install.env ?? process.env });
  if (done.error !== undefined) throw failed(`could not run: ${done.error.message}`);
  if (done.status !== 0) throw failure(install, failed, done.status ?? undefined, done.stderr);
  return done.stdout.split('\n').includes(INSTALLED);
}

/** `timeout`'s arguments: the script under the lock, stopped (its process group) at the bound. */
const bounded = (install: LockedInstall): string[] => ['--kill-after=10', String(install.timeoutS), 'flock', install.lock, 'sh', '-c', install.script];

/** The one-line error of an install that exited `code`: 124 is `timeout`'s. */
function failure(install: LockedInstall, failed: (why: string) => Error, code: number | string | undefined, stderr: string | undefined): Error {
  if (code === 124) return failed(`took more than ${install.timeoutS} s: stopped`);
  return failed(`failed (exit ${code}): ${lastLine(stderr)}`);
}
