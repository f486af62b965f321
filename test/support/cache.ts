/**
 * Where the tests keep what they install outside npm (old Node.js binaries, the Go server) and
 * what they make once for many files (the digest `dist/` was built from, synthesized templates).
 * Git-ignored, so a fresh clone starts empty and fills it on first use.
 */
import { join } from 'node:path';

export const CACHE = join(__dirname, '..', '..', '.cache');
