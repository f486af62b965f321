/**
 * Debian packages the tests need (nginx, Chromium), installed on first use.
 *
 * Why in the tests: `npm ci && npm test` on a fresh machine must pass with nothing installed
 * beforehand, as CI's fresh clone and a new developer's machine both start.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFirstUse } from './first-use';
import { INSTALLED, lockedInstall, lockedInstallSync, type LockedInstall } from './locked-install';

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
 * missing; throws one line naming what failed when it cannot be installed. One install at a
 * time on the machine (`lockedInstall`): jest workers installing two packages at once would
 * otherwise race for apt's locks, and one would fail.
 *
 * @example
 * const chromium = await ensureDebianPackage('/usr/bin/chromium', 'chromium');
 */
export async function ensureDebianPackage(binary: string, pkg: string): Promise<string> {
  if (existsSync(binary)) return binary;
  const started = Date.now();
  const { install, failed } = aptInstall(binary, pkg);
  return installed(binary, pkg, await lockedInstall(install, failed), started, failed);
}

/**
 * `ensureDebianPackage` for a caller that must stay synchronous (`ensurePythonCommand`, whose
 * callers spawn synchronously inside a test).
 *
 * @example
 * ensureDebianPackageSync('/usr/lib/python3/dist-packages/pip/__init__.py', 'python3-pip');
 */
export function ensureDebianPackageSync(binary: string, pkg: string): string {
  if (existsSync(binary)) return binary;
  const started = Date.now();
  const { install, failed } = aptInstall(binary, pkg);
  return installed(binary, pkg, lockedInstallSync(install, failed), started, failed);
}

/** apt-get's install of `pkg` unless `binary` is there, under the machine's one lock, and its one-line failure. */
function aptInstall(binary: string, pkg: string): { install: LockedInstall; failed: (why: string) => Error } {
  const script = `test -e '${binary}' || { apt-get update -qq && apt-get -o DPkg::Lock::Timeout=${DPKG_LOCK_WAIT_S} install -y -qq --no-install-recommends '${pkg}' && echo ${INSTALLED}; }`;
  const failed = (why: string) => new Error(`${binary} is missing and installing Debian's ${pkg} with apt-get ${why}`);
  return { install: { lock: APT_LOCK, script, timeoutS: INSTALL_TIMEOUT_S, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }, failed };
}

/** `binary` once the install ran: reported when this call installed it; an error when it is still missing. */
function installed(binary: string, pkg: string, installedNow: boolean, started: number, failed: (why: string) => Error): string {
  if (!existsSync(binary)) throw failed('did not give it');
  if (installedNow) reportFirstUse(`installed Debian's ${pkg} with apt-get`, started);
  return binary;
}
