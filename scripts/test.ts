/**
 * `npm test`: the type check, the lint and the unit, integration and compat projects at a lower
 * CPU priority, and the timing project beside them at the normal one, all at once.
 *
 * Why the timing project beside the others: its files measure in-process servers to tens of
 * milliseconds (jest.config.js's `TIMING`), and beside the other workers at the same priority
 * their event loops ran 10 to 180 ms late and they failed, so they ran after the others: 78 s
 * more on a fresh clone. They use little CPU (10 s in a minute), so at the normal priority the
 * kernel runs them as soon as they wake, ahead of the lowered workers, which lose little to
 * them. Beside a run of the whole integration project at niceness 19 and ten workers (load
 * average 19 on two cores) all 51 passed, in 85 s.
 *
 * Why the type check and the lint beside the tests: they took 28 s of one core before the first
 * test started, while the first half minute of the tests leaves a core idle (the package build,
 * which the template files wait for). A type error or a lint finding still fails the run at
 * once: the tests are stopped.
 *
 * The output of the checks is shown when they end, the timing run's once the main run ends, so
 * that each reads whole; arguments after `npm test --` go to the main run. Run by npm, whose
 * PATH holds `tsc` and `eslint`.
 *
 * @example
 * npm test
 * npm test -- --json --outputFile=run.json
 */
import { spawn } from 'node:child_process';

/** jest's command, run by this Node.js. */
const JEST = require.resolve('jest/bin/jest');

/**
 * The niceness of everything but the timing run: the lowest priority, with which the timing
 * files passed beside it. On a machine shared with other work at the normal priority the main
 * run waits for that work (and the timing files fail beside it whatever this is: their event
 * loops run late).
 */
const NICENESS = 19;

/** At most two timing files at once: each measures its own servers, and the two cores stay theirs. */
const TIMING_WORKERS = 2;

/** A child's end: its exit code (1 when a signal ended it) and its output when held. */
interface Ended {
  readonly code: number;
  readonly output: string;
}

const running = new Set<ReturnType<typeof spawn>>();

/** Stops every command still running. */
const stopAll = (signal: NodeJS.Signals) => running.forEach((child) => child.kill(signal));

/** Runs `command` at the lowest priority unless `normalPriority`, its output shown as it comes or held (`hold`) and returned. */
function run(command: string, args: readonly string[], { hold = false, normalPriority = false } = {}): Promise<Ended> {
  const [file, ...rest] = normalPriority ? [command, ...args] : ['nice', '-n', String(NICENESS), command, ...args];
  const child = spawn(file, rest, { stdio: hold ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  running.add(child);
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString() });
    });
  });
}

/** The type check and the lint, each shown when it ends; the first failing one's exit code, else 0. */
async function checks(): Promise<number> {
  const ended = await Promise.all(
    [run('tsc', ['--noEmit'], { hold: true }), run('eslint', ['.'], { hold: true })].map((check) =>
      check.then((result) => {
        process.stderr.write(result.output);
        return result.code;
      }),
    ),
  );
  return ended.find((code) => code !== 0) ?? 0;
}

async function main(): Promise<void> {
  // A stop of the run stops every command (Ctrl-C reaches them through the terminal already).
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stopAll(signal));
  const checked = checks().then((code) => {
    if (code !== 0) stopAll('SIGTERM');
    return code;
  });
  const timing = run(process.execPath, [JEST, '--selectProjects', 'timing', '--maxWorkers', String(TIMING_WORKERS)], { hold: true, normalPriority: true });
  // The arguments first: `--selectProjects` takes every word after it as a project's name.
  const rest = await run(process.execPath, [JEST, ...process.argv.slice(2), '--selectProjects', 'unit', 'integration', 'compat']);
  const checksCode = await checked;
  if (checksCode !== 0) {
    await timing;
    console.error('test: the type check or the lint failed (above): the tests were stopped');
    process.exitCode = checksCode;
    return;
  }
  const { code, output } = await timing;
  process.stderr.write(output);
  process.exitCode = rest.code !== 0 ? rest.code : code;
}

if (require.main === module) {
  main().catch((error: Error) => {
    stopAll('SIGTERM');
    console.error(`test: ${error.message}`);
    process.exitCode = 1;
  });
}
