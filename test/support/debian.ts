/**
 * Debian packages the tests need (nginx, Chromium), installed on first use.
 *
 * Why in the tests: `npm ci && npm test` on a fresh machine must pass with nothing installed
 * beforehand, as CI's fresh clone and a new developer's machine both start.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { reportFirstUse } from './first-use';
import { lastLine } from './last-line';

const run = promisify(execFile);

/** How long one install may take, waiting for another worker's included (Chromium's is the largest). */
const INSTALL_TIMEOUT_S = 300;

/**
 * How long apt-get waits for dpkg's own lock when something outside these tests holds it.
 *
 * Why: the lock below orders only the installs of these tests; any other dpkg user (another
 * tool, unattended upgrades) made apt-get fail at once with "Unable to acquire the dpkg
 * frontend lock".
 */
const DPKG_LOCK_WAIT_S = 120;

/**
 * One lock for the whole machine, not one per checkout: two clones of the project (or two
 * worktrees) testing at once share one dpkg, and a lock inside each clone's .cache let them race.
 */
const APT_LOCK = join(tmpdir(), 'idle-canary-apt.lock');

/**
 * Returns `binary`, first installing Debian's `pkg` (apt-get update, then install) when it is
 * missing; throws one line naming what failed when it cannot be installed.
 *
 * Why `flock`: jest workers installing two packages at once would otherwise race for apt's
 * locks, and one would fail. Why `timeout` around it: on expiry it signals its whole process
 * group, so apt-get itself stops, not only the shell that started it.
 *
 * @example
 * const chromium = await ensureDebianPackage('/usr/bin/chromium', 'chromium');
 */
export async function ensureDebianPackage(binary: string, pkg: string): Promise<string> {
  if (existsSync(binary)) return binary;
  const started = Date.now();
  const script = `test -e '${binary}' || { apt-get update -qq && apt-get -o DPkg::Lock::Timeout=${DPKG_LOCK_WAIT_S} install -y -qq --no-install-recommends '${pkg}'; }`;
  const failed = (why: string) => new Error(`${binary} is missing and installing Debian's ${pkg} with apt-get ${why}`);
  try {
    await run('timeout', ['--kill-after=10', String(INSTALL_TIMEOUT_S), 'flock', APT_LOCK, 'sh', '-c', script], { maxBuffer: 1 << 24, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (error) {
    const { code, stderr } = error as { code?: number | string; stderr?: string };
    if (code === 124) throw failed(`took more than ${INSTALL_TIMEOUT_S} s: stopped`);
    throw failed(`failed (exit ${code}): ${lastLine(stderr)}`);
  }
  if (!existsSync(binary)) throw failed('did not give it');
  reportFirstUse(`installed Debian's ${pkg} with apt-get`, started);
  return binary;
}
