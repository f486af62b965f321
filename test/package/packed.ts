/**
 * The packed package and the README's example app, for the packaging tests: what a user
 * downloads and what they copy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runIn } from './run';

/** The repository, whose build `npm pack` packs. */
export const ROOT = join(__dirname, '..', '..');

/**
 * Packs the built package into `dir` as `npm pack` does for a release (the build must be
 * current: `ensureBuilt`).
 *
 * @returns the tarball's path
 * @throws Error when npm printed anything on stderr or no tarball
 * @example
 * const tarball = await packInto(mkdtempSync(join(tmpdir(), 'user-')));
 */
export async function packInto(dir: string): Promise<string> {
  const packed = await runIn(ROOT, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
  if (packed.status !== 0 || packed.stderr !== '') throw new Error(`npm pack failed (${packed.status}): ${packed.stderr.trim().split('\n').at(-1)}`);
  const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  return join(dir, filename);
}

/** The README's example app, as a user copies it: the TypeScript block of its CDK section. */
export function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Add it to your own CDK app'));
  return section.slice(section.indexOf('```ts\n') + 6, section.indexOf('\n```', section.indexOf('```ts\n')) + 1);
}

/** The compiler options of a user's CDK app in TypeScript, for `files`. */
export function userTsconfig(files: readonly string[]): string {
  return JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, skipLibCheck: true, types: [] }, files });
}
