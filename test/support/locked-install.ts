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
import { execFile } from 'node:child_process';
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
    const { stdout } = await run('timeout', ['--kill-after=10', String(install.timeoutS), 'flock', install.lock, 'sh', '-c', install.script], { maxBuffer: 1 << 24, env: install.env ?? process.env });
    return stdout.split('\n').includes(INSTALLED);
  } catch (error) {
    const { code, stderr } = error as { code?: number | string; stderr?: string };
    if (code === 124) throw failed(`took more than ${install.timeoutS} s: stopped`);
    throw failed(`failed (exit ${code}): ${lastLine(stderr)}`);
  }
}
