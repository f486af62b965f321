/**
 * Where the tests keep what they install outside npm: old Node.js binaries. Git-ignored, so a
 * fresh clone starts empty and fills it on first use.
 */
import { join } from 'node:path';

export const CACHE = join(__dirname, '..', '..', '.cache');
