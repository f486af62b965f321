/**
 * The directory of idle-canary's own `package.json`, from the sources or from `dist/`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Walks up from this module to the first directory holding a `package.json`.
 *
 * Why a walk: the module sits at `lib/` in the repository and at `dist/lib/` in the package,
 * one level deeper; both must find the same root.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
