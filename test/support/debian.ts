/**
 * Debian packages the tests need (nginx, Chromium), installed on first use.
 *
 * Why in the tests: `npm ci && npm test` on a fresh machine must pass with nothing installed
 * beforehand, as CI's fresh clone and a new developer's machine both start.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CACHE = join(__dirname, '..', '..', '.cache');

/**
 * Returns `binary`, first installing Debian's `pkg` (apt-get update, then install) when it is
 * missing.
 *
 * Why `flock`: jest workers installing two packages at once would otherwise race for apt's
 * locks, and one would fail.
 *
 * @example
 * const chromium = await ensureDebianPackage('/usr/bin/chromium', 'chromium');
 */
export async function ensureDebianPackage(binary: string, pkg: string): Promise<string> {
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const script = `test -e '${binary}' || { apt-get update -qq && apt-get install -y -qq --no-install-recommends '${pkg}'; }`;
  await run('flock', [join(CACHE, 'apt.lock'), 'sh', '-c', script], { maxBuffer: 1 << 24, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(binary)) throw new Error(`installing Debian's ${pkg} did not give ${binary}`);
  return binary;
}
