/**
 * The command's version: `idle-canary --version`, and `--version` after any command.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../lib/package-root';

/** Set by the single-file build (esbuild `define`), which has no package.json beside it. */
declare const IDLE_CANARY_VERSION: string | undefined;

/** The `version` of idle-canary's package.json. */
export function version(): string {
  if (typeof IDLE_CANARY_VERSION === 'string') return IDLE_CANARY_VERSION;
  return (JSON.parse(readFileSync(join(packageRoot(__dirname), 'package.json'), 'utf8')) as { version: string }).version;
}
