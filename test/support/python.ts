/**
 * Python commands the tests need (cfn-lint, moto's server), installed with pip on first use.
 *
 * Why in the tests, not in `.ci/run`: `npm ci && npm test` on a fresh machine must pass with
 * nothing installed beforehand, as the Debian packages of `debian.ts` do.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { CACHE } from './cache';
import { ensureDebianPackageSync } from './debian';
import { INSTALLED, lockedInstallSync } from './locked-install';
import { reportFirstUse } from './first-use';

/** How long `command --help` may take to show the command runs (cfn-lint's takes about 2 s). */
const CHECK_TIMEOUT_MS = 60_000;

/**
 * How long pip may take, waiting for another worker's install included: without it, pip's
 * retries against an unreachable index last many minutes.
 */
const INSTALL_TIMEOUT_S = 300;

/**
 * One pip install at a time on the machine, as apt's (`debian.ts`): the jest workers that start
 * moto at the beginning of a fresh run each installed moto into the same site-packages at once,
 * and pip's racing writes can fail or leave a package half written; under the lock, the workers
 * that waited find the command running and install nothing.
 */
const PIP_LOCK = join(tmpdir(), 'idle-canary-pip.lock');

/**
 * pip's environment for the install: past PEP 668's guard.
 *
 * Why: Debian 12's own python3 (a fresh machine's, when no pyenv or venv comes first on PATH) is
 * marked externally managed, and pip refuses to install into it with "externally-managed-environment",
 * whose last line ("hint: See PEP 668 for the detailed specification.") named nothing to do. The
 * packages go where pip's scripts are on PATH (/usr/local/bin), apart from Debian's own; a pip
 * older than 23.0.1 ignores the variable.
 */
const PIP_ENV: NodeJS.ProcessEnv = { ...process.env, PIP_BREAK_SYSTEM_PACKAGES: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

/** Where a command seen to run is noted, by name, with the executable it ran as. */
const SEEN = join(CACHE, 'python');

/**
 * The script a pyenv shim runs for `command`, or none when no Python version of pyenv's has it.
 *
 * Why: a shim (`~/.pyenv/shims/moto_server`, as on a fresh machine whose python3 is pyenv's) is one
 * script for every command, and `python3 -m pip uninstall` leaves it in place: noted by the shim, a
 * removed package would be taken as seen to run, and its install skipped.
 */
function behindShim(command: string): string | undefined {
  const which = spawnSync('pyenv', ['which', command], { encoding: 'utf8', timeout: CHECK_TIMEOUT_MS });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** The executable `command` runs as, from PATH (its path, modification time and size), or none. */
function executable(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const found = join(dir, command);
    try {
      accessSync(found, constants.X_OK);
      const file = basename(dir) === 'shims' ? behindShim(command) : found;
      if (file === undefined) return undefined;
      const { mtimeMs, size } = statSync(file);
      return `${file}\0${mtimeMs}\0${size}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Whether `command --help` runs and exits 0, within its bound; once per executable.
 *
 * Why noted in the cache: the check starts Python and imports the package, 1.2 CPU-seconds for
 * moto_server and 2.4 for cfn-lint, and each test file that starts moto checked again. The
 * note names the executable PATH gave (its path, modification time and size; for a pyenv shim,
 * the script behind it): another one, or none, is checked again; a fresh clone has no
 * `.cache/`, so checks and installs on first use; remove `.cache/python/` to check the same one again.
 */
function runs(command: string): boolean {
  const found = executable(command);
  const note = join(SEEN, command);
  try {
    if (found !== undefined && readFileSync(note, 'utf8') === found) return true;
  } catch {
    // never seen to run
  }
  if (spawnSync(command, ['--help'], { stdio: 'ignore', timeout: CHECK_TIMEOUT_MS }).status !== 0) return false;
  if (found !== undefined) {
    mkdirSync(SEEN, { recursive: true });
    // Written aside and renamed: another jest worker never reads half a note.
    writeFileSync(`${note}.${process.pid}`, found);
    renameSync(`${note}.${process.pid}`, note);
  }
  return true;
}

/**
 * Installs Debian's python3-pip (and with it python3) when `python3 -m pip` does not run.
 *
 * Why: a fresh Debian machine has no python3, or one without pip (Debian ships pip apart), and
 * the pip install then failed with "No module named pip" or "spawnSync python3 ENOENT".
 */
function ensurePip(): void {
  if (spawnSync('python3', ['-m', 'pip', '--version'], { stdio: 'ignore', timeout: CHECK_TIMEOUT_MS }).status === 0) return;
  ensureDebianPackageSync('/usr/lib/python3/dist-packages/pip/__init__.py', 'python3-pip');
}

/** A Python command the tests run, and the pip package that gives it. */
export interface PythonCommand {
  readonly command: string;
  readonly pkg: string;
}

/** moto's AWS API emulator (`moto.ts`). */
export const MOTO_SERVER: PythonCommand = { command: 'moto_server', pkg: 'moto[server]' };

/** CloudFormation's linter (validators.integration.test.ts). */
export const CFN_LINT: PythonCommand = { command: 'cfn-lint', pkg: 'cfn-lint' };

/** Commands already seen to run in this test file. */
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
    ensurePip();
    const failed = (why: string) => new Error(`${command} is missing and \`python3 -m pip install ${pkg}\` ${why}`);
    const script = `'${command}' --help >/dev/null 2>&1 || { python3 -m pip install --quiet '${pkg}' && echo ${INSTALLED}; }`;
    const installed = lockedInstallSync({ lock: PIP_LOCK, script, timeoutS: INSTALL_TIMEOUT_S, env: PIP_ENV }, failed);
    if (!runs(command)) throw new Error(`pip installed ${pkg}, but \`${command} --help\` still does not run: is pip's script folder on PATH?`);
    if (installed) reportFirstUse(`installed ${pkg} with pip`, started);
  }
  ready.add(command);
  return command;
}

/**
 * Forgets that `command` was seen to run, for a caller that saw it fail: the next
 * `ensurePythonCommand` checks it again and, when it no longer runs, installs its package again.
 *
 * Why: the note names the command's script, which stays when a package it imports is removed
 * (`pip uninstall werkzeug` leaves moto_server in place); without this every later file would
 * start it on the note's word and fail the same way.
 *
 * @example
 * if (child.exitCode !== null) forgetPythonCommand('moto_server');
 */
export function forgetPythonCommand(command: string): void {
  ready.delete(command);
  rmSync(join(SEEN, command), { force: true });
}
