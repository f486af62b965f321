/**
 * The README's CI recipe, run as it stands: the shell block between `<!-- ci-recipe:start -->`
 * and `<!-- ci-recipe:end -->`, with bash, in a project that has idle-canary installed as a CI
 * job's checkout has it (`node_modules/.bin/idle-canary` of the built package).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-root';
import { ensureBuilt } from '../support/built-package';

const ROOT = packageRoot();

/** The recipe's shell text, exactly as the README shows it. */
export function ciRecipe(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- ci-recipe:start -->\n```sh\n([\s\S]*?)```\n<!-- ci-recipe:end -->/.exec(readme);
  if (match === null) throw new Error('README.md has no shell block between <!-- ci-recipe:start --> and <!-- ci-recipe:end -->');
  return match[1];
}

/** A CI job's working directory: a project with the built package installed (built first when its sources changed). */
function ciProject(): { dir: string; remove: () => void } {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'idle-canary-ci-'));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'idle-canary'));
  symlinkSync('../idle-canary/dist/bin/idle-canary.js', join(dir, 'node_modules', '.bin', 'idle-canary'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ci-job', private: true, devDependencies: { 'idle-canary': '*' } }));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the recipe in `dir` with the job's variables; its exit code, its output (the last 4 KB) and the JSON it kept. */
async function runCiRecipe(dir: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string; result: unknown }> {
  const child = spawn('bash', ['-c', ciRecipe()], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  }).finally(() => clearTimeout(timer));
  return { code, output, result: JSON.parse(readFileSync(join(dir, 'idle-canary.json'), 'utf8')) };
}

/** Runs the recipe once per job, all at once, each in a project of its own; their outcomes in order. */
export async function runCiJobs(jobs: ReadonlyArray<Record<string, string>>, timeoutMs: number) {
  const projects = jobs.map(() => ciProject());
  try {
    return await Promise.all(jobs.map((env, i) => runCiRecipe(projects[i].dir, env, timeoutMs)));
  } finally {
    for (const project of projects) project.remove();
  }
}

/** A Node.js HTTP server on loopback, with `configure` applied (none: Node.js's defaults), answering every request. */
export async function nodeServer(configure: (server: Server) => void = () => undefined): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_request, response) => response.end('ok'));
  configure(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/health`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
