/**
 * `npm test`'s jest runs, after the type check and the lint: the unit, integration and compat
 * projects at a lower CPU priority, and the timing project beside them at the normal one.
 *
 * Why: the timing files measure in-process servers to tens of milliseconds (jest.config.js's
 * `TIMING`), and beside the other workers at the same priority their event loops ran 10 to 180 ms
 * late and they failed, so they ran after the others: 78 s more on a fresh clone. They use little
 * CPU (10 s in a minute), so at the normal priority the kernel runs them as soon as they wake,
 * ahead of the lowered workers, which lose little to them. Beside a run of the whole integration
 * project at niceness 19 and ten workers (load average 19 on two cores) all 51 passed, in 85 s.
 *
 * The timing run's output is held until the main run ends, so that each reads whole; arguments
 * after `npm test --` go to the main run.
 *
 * @example
 * npm test
 * npm test -- --json --outputFile=run.json
 */
import { spawn } from 'node:child_process';

/** jest's command, run by this Node.js. */
const JEST = require.resolve('jest/bin/jest');

/**
 * The niceness of the main run: the lowest priority, with which the timing files passed beside
 * it. On a machine shared with other work at the normal priority the main run waits for that
 * work (and the timing files fail beside it whatever this is: their event loops run late).
 */
const MAIN_NICENESS = 19;

/** At most two timing files at once: each measures its own servers, and the two cores stay theirs. */
const TIMING_WORKERS = 2;

/** A child's end: its exit code (1 when a signal ended it) and its output when held. */
interface Ended {
  readonly code: number;
  readonly output: string;
}

const running = new Set<ReturnType<typeof spawn>>();

/** Runs `command`, its output shown as it comes or held (`hold`) and returned. */
function run(command: string, args: readonly string[], hold: boolean): Promise<Ended> {
  const child = spawn(command, args, { stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  running.add(child);
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString() });
    });
  });
}

async function main(): Promise<void> {
  // A stop of the run stops both jest runs (Ctrl-C reaches them through the terminal already).
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => running.forEach((child) => child.kill(signal)));
  const timing = run(process.execPath, [JEST, '--selectProjects', 'timing', '--maxWorkers', String(TIMING_WORKERS)], true);
  // The arguments first: `--selectProjects` takes every word after it as a project's name.
  const rest = await run('nice', ['-n', String(MAIN_NICENESS), process.execPath, JEST, ...process.argv.slice(2), '--selectProjects', 'unit', 'integration', 'compat'], false);
  const { code, output } = await timing;
  process.stderr.write(output);
  process.exitCode = rest.code !== 0 ? rest.code : code;
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`test: ${error.message}`);
    process.exitCode = 1;
  });
}
