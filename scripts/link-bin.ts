/**
 * `npm ci`'s `prepare` step in a clone: `node_modules/.bin/idle-canary`, so that the README's
 * `npx idle-canary ...` runs the sources there as it runs the installed package elsewhere.
 *
 * Why a shim and not a build: npm links the bins of dependencies only, never the project's own,
 * and building `dist/` (about a minute) at every `npm ci` would slow every clone and CI run; the
 * shim runs `bin/idle-canary.ts` with tsx, as `npm run idle-canary` does.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../lib/package-root';

/** Where npm's `npx` looks first, and the shim written there. */
const BIN_SHIM = join(packageRoot(__dirname), 'node_modules', '.bin', 'idle-canary');

/** Relative to the shim, so that a moved clone keeps working. */
const SHIM = `#!/bin/sh
# Written by scripts/link-bin.ts (npm ci's prepare step): npx idle-canary in a clone runs the sources.
dir=$(dirname "$0")
exec "$dir/tsx" "$dir/../../bin/idle-canary.ts" "$@"
`;

if (require.main === module) {
  mkdirSync(join(BIN_SHIM, '..'), { recursive: true });
  writeFileSync(BIN_SHIM, SHIM);
  chmodSync(BIN_SHIM, 0o755);
}
