/**
 * The package in `dist/`, built once for the tests that need it (the template tests, whose
 * construct deploys the prebuilt Lambda bundles, and the tests of the packed or built command).
 *
 * Why not jest's global setup: it built the whole package before every integration run, even
 * for the files that never read `dist/`. Here the first test that needs it builds it, under a
 * lock the other jest workers wait on, and a later run reuses it while the sources it is built
 * from are unchanged (their digest is kept beside the cache).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CACHE } from './cache';
import { reportFirstUse } from './first-use';

const ROOT = join(__dirname, '..', '..');

/** What `npm run build` reads: the sources it compiles and bundles, and the settings of both. */
const BUILD_INPUTS = ['bin', 'cli', 'lambda', 'lib', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The last file the build writes: its presence means the build that wrote the digest finished. */
const LAST_OUTPUT = join(ROOT, 'dist', 'idle-canary.cjs');

const DIGEST_FILE = join(CACHE, 'dist.sha256');
const LOCK_DIR = join(CACHE, 'build.lock');

/** A build takes 30 s on an idle 2-core machine; waiting for another worker's is bounded well above that. */
const LOCK_WAIT_MS = 600_000;
const BUILD_TIMEOUT_MS = 540_000;

/** Every file under the build's inputs, by path and content, in one digest. */
function sourceDigest(): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(`${relative(ROOT, path)}\0`).update(readFileSync(path)).update('\0');
  };
  for (const input of BUILD_INPUTS) visit(join(ROOT, input));
  return hash.digest('hex');
}

const isCurrent = (digest: string) => existsSync(LAST_OUTPUT) && existsSync(DIGEST_FILE) && readFileSync(DIGEST_FILE, 'utf8') === digest;

/** Whether the process that took the lock is gone (a killed run), so the lock can be broken. */
function lockIsStale(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
  } catch {
    return false; // taken a moment ago: its pid is being written
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Takes the cross-process lock, waiting (synchronously: template tests synthesize at import) for its holder. */
function lock(): void {
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockIsStale()) rmSync(LOCK_DIR, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`the package build: waited ${LOCK_WAIT_MS / 1000} s for the lock ${LOCK_DIR}; remove it if no test run is building`);
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

/**
 * Builds the package (`npm run build`) unless `dist/` was built from the current sources.
 *
 * @returns the digest of those sources, which names what was built (and what is made of it)
 * @throws Error with the build's last line of output when it fails
 * @example
 * beforeAll(() => ensureBuilt());
 */
export function ensureBuilt(): string {
  const digest = sourceDigest();
  if (isCurrent(digest)) return digest;
  lock();
  try {
    if (isCurrent(digest)) return digest; // another worker built it while this one waited
    rmSync(DIGEST_FILE, { force: true });
    const started = Date.now();
    try {
      execFileSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, stdio: 'pipe', timeout: BUILD_TIMEOUT_MS });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      const output = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n');
      throw new Error(`the package build failed: ${output.at(-1) || (error as Error).message}`);
    }
    writeFileSync(DIGEST_FILE, digest);
    reportFirstUse('built the package in dist/', started);
    return digest;
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}
