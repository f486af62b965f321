/**
 * The Lambda handlers the build bundles and the construct deploys: one list both read.
 */
import { join } from 'node:path';
import { packageRoot } from './package-root';

/** Each is `lambda/handlers/NAME.ts`, bundled to `dist/handlers/NAME/index.js`. */
export const HANDLER_NAMES = ['discover', 'probe', 'publish', 'digest', 'access-logs'] as const;

export type HandlerName = (typeof HANDLER_NAMES)[number];

/** Where the build writes the bundles and the construct reads them. */
export const HANDLERS_DIR = join(packageRoot(), 'dist', 'handlers');
