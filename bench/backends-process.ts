/**
 * Runs demo backends in their own process for the benchmarks, so that the probe's memory
 * and timer lateness are measured without the servers' work.
 *
 * Reads a JSON array of `BackendSpec` as the first line of stdin (argv is too small for a
 * thousand), prints one JSON line with their ports, and stops them when stdin closes, so that
 * it never outlives the benchmark; then prints the worst event-loop delay it had while serving.
 *
 * Why the delay: a lazy backend counts idle time from when its process accepts, so a starved
 * process measures a shorter idle than the probe held, and the benchmark's truth drifts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBackend, type BackendSpec, type RunningBackend } from '../cli/demo/backends';

const delay = monitorEventLoopDelay({ resolution: 10 });
let buffered = '';
let backends: Promise<RunningBackend[]> | null = null;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  const end = buffered.indexOf('\n');
  if (backends !== null || end < 0) return;
  const specs = JSON.parse(buffered.slice(0, end)) as BackendSpec[];
  backends = Promise.all(specs.map(startBackend));
  void backends.then((running) => {
    delay.enable();
    process.stdout.write(`${JSON.stringify(running.map((b) => b.port))}\n`);
  });
});
process.stdin.on('end', () => {
  delay.disable();
  const maxDelayMs = delay.count > 0 ? delay.max / 1e6 : 0;
  void (backends ?? Promise.resolve([]))
    .then((running) => Promise.all(running.map((b) => b.stop())))
    .then(() => process.stdout.write(`${JSON.stringify({ maxDelayMs })}\n`, () => process.exit(0)));
});
