/**
 * Start-up of the command: wall time and peak memory of `idle-canary --help`, as installed
 * (`dist/bin/idle-canary.js`), as the single file, and from the sources through tsx, next to
 * a bare `node`; and the single file's size.
 *
 * Why `--help`: it is the floor of every command, what a person on a bastion host pays
 * before anything is measured.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPackage, SINGLE_FILE } from '../scripts/build';

const RUNS = 7;
const ROOT = join(__dirname, '..');

/** One start: milliseconds from spawn to exit, and the process's own peak RSS in MiB. */
function start(hook: string, args: readonly string[]): { ms: number; mib: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['-r', hook, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${child.status}`);
  return { ms, mib: Number(String(child.output[3])) / 1024 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function startupBenchmark(): Promise<void> {
  const size = await buildPackage();
  // Reports the peak resident memory (kB) on fd 3 when the process exits.
  const dir = mkdtempSync(join(tmpdir(), 'idle-canary-bench-'));
  const hook = join(dir, 'max-rss.js');
  writeFileSync(hook, "process.on('exit', () => require('fs').writeSync(3, String(process.resourceUsage().maxRSS)));\n");
  const cases: Array<[string, string[]]> = [
    ['bare `node -e 0`', ['-e', '0']],
    ['`idle-canary --help` (dist/bin, as installed)', [join(ROOT, 'dist', 'bin', 'idle-canary.js'), '--help']],
    ['`node idle-canary.cjs --help` (single file)', [SINGLE_FILE, '--help']],
    ['`idle-canary probe --help` (dist/bin)', [join(ROOT, 'dist', 'bin', 'idle-canary.js'), 'probe', '--help']],
    ['`idle-canary scan --help` (dist/bin: answered before the AWS SDK loads)', [join(ROOT, 'dist', 'bin', 'idle-canary.js'), 'scan', '--help']],
    ['from the sources through tsx (`npm run idle-canary`)', ['--import', 'tsx', join(ROOT, 'bin', 'idle-canary.ts'), '--help']],
  ];
  console.log(`\n## Start-up (median of ${RUNS}; goal for \`idle-canary --help\`: at most 0.15 s and 60 MiB)\n`);
  console.log('| command | wall time | peak RSS |');
  console.log('|---|---|---|');
  try {
    for (const [name, args] of cases) {
      start(hook, args); // warm the file cache
      const runs = Array.from({ length: RUNS }, () => start(hook, args));
      console.log(`| ${name} | ${(median(runs.map((r) => r.ms)) / 1000).toFixed(3)} s | ${median(runs.map((r) => r.mib)).toFixed(0)} MiB |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nSingle file ${SINGLE_FILE}: ${(size / 2 ** 20).toFixed(2)} MiB (${statSync(SINGLE_FILE).size} bytes)`);
}
