/**
 * `npm run build`: the package in `dist/`.
 *
 * - `dist/{bin,cli,lib,lambda}/`: the sources compiled by tsc, with declarations (the
 *   construct, the probe engine's API and the command, as the `exports` map names them);
 * - `dist/handlers/NAME/index.js`: each Lambda handler bundled by esbuild, which the construct
 *   deploys as it is, so a user's synth needs neither esbuild nor Docker;
 * - `dist/handlers/long-probe/`: the long probe task's bundle (the AWS SDK inside) and the
 *   Dockerfile CDK builds its image from at deploy time;
 * - `dist/idle-canary.cjs`: the whole command in one file, the AWS SDK included, for a host
 *   that has only `node` 20 or later.
 *
 * `npm run build -- handlers` writes only the Lambda bundles (what synth and the tests need).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { HANDLER_NAMES, HANDLERS_DIR, LONG_PROBE_DIR, LONG_PROBE_DOCKERFILE, LONG_PROBE_NAME } from '../lib/handlers';
import { packageRoot } from '../lib/package-root';
import { printable } from '../lambda/shared/printable';

const ROOT = packageRoot(__dirname);
const DIST = join(ROOT, 'dist');

/** The single-file command, in `dist/`. */
export const SINGLE_FILE = join(DIST, 'idle-canary.cjs');

/** The command as npm's `bin` names it. */
const BIN_FILE = join(DIST, 'bin', 'idle-canary.js');

/** One handler bundled for Node.js 22, minified with its source map. */
const bundle = (name: string, external: string[]) =>
  build({
    entryPoints: [join(ROOT, 'lambda', 'handlers', `${name}.ts`)],
    outfile: join(HANDLERS_DIR, name, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    sourcemap: true,
    external,
    logLevel: 'warning',
  });

/**
 * Bundles every handler for the Lambda runtime, whose AWS SDK v3 it uses, and the long probe
 * task with the SDK inside (a Node.js image has none), next to its Dockerfile.
 */
async function bundleHandlers(): Promise<void> {
  rmSync(HANDLERS_DIR, { recursive: true, force: true });
  await Promise.all([...HANDLER_NAMES.map((name) => bundle(name, ['@aws-sdk/*'])), bundle(LONG_PROBE_NAME, [])]);
  writeFileSync(join(LONG_PROBE_DIR, 'Dockerfile'), LONG_PROBE_DOCKERFILE);
}

/** Compiles the sources the `exports` map reaches, with declarations. */
function compile(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/**
 * Bundles the command with everything it imports into one CommonJS file.
 *
 * Why it still starts fast: each command is a dynamic import, which esbuild keeps lazy, so
 * `--help` evaluates neither the AWS SDK nor the report renderers.
 */
async function bundleSingleFile(): Promise<number> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  await build({
    entryPoints: [join(ROOT, 'bin', 'idle-canary.ts')],
    outfile: SINGLE_FILE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Not minifyIdentifiers: it saves 0.9 MB but raised the peak memory of `--help` from 58 to
    // 77 MiB (V8 holds more for the minified scopes); whitespace and syntax save the rest.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    define: { IDLE_CANARY_VERSION: JSON.stringify(version) },
    logLevel: 'warning',
  });
  return statSync(SINGLE_FILE).size;
}

/** The whole package, from a clean `dist/`; returns the single file's size in bytes. */
export async function buildPackage(): Promise<number> {
  rmSync(DIST, { recursive: true, force: true });
  await bundleHandlers();
  compile();
  const size = await bundleSingleFile();
  // Both start with `#!/usr/bin/env node`: `./dist/bin/idle-canary.js` and a copied single file run as they are (tsc and esbuild write 0644).
  for (const file of [BIN_FILE, SINGLE_FILE]) chmodSync(file, 0o755);
  return size;
}

async function main(): Promise<void> {
  const steps = process.argv.slice(2);
  const unknown = steps.find((step) => step !== 'handlers');
  // The flag is shown escaped and cut: it reaches the terminal.
  if (unknown !== undefined) throw new Error(`unknown build step "${printable(unknown, 60)}": expected handlers or nothing`);
  if (steps.length > 0) {
    await bundleHandlers();
    console.log(`${HANDLER_NAMES.length} Lambda bundles and the long probe's image context in ${HANDLERS_DIR}`);
    return;
  }
  const size = await buildPackage();
  console.log(`${HANDLER_NAMES.length} Lambda bundles and the long probe's image context in ${HANDLERS_DIR}; declarations and JavaScript in ${DIST}`);
  console.log(`single-file command: ${SINGLE_FILE} (${(size / 2 ** 20).toFixed(2)} MiB)`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`build: ${error.message}`);
    process.exitCode = 1;
  });
}
