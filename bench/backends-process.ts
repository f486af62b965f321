/**
 * Runs demo backends in their own process for the benchmarks, so that the probe's memory
 * and timer lateness are measured without the servers' work.
 *
 * Reads a JSON array of `BackendSpec` as the first line of stdin (argv is too small for a
 * thousand), prints one JSON line with their ports, and stops them when stdin closes, so that
 * it never outlives the benchmark.
 */
import { startBackend, type BackendSpec, type RunningBackend } from '../cli/demo/backends';

let buffered = '';
let backends: Promise<RunningBackend[]> | null = null;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  const end = buffered.indexOf('\n');
  if (backends !== null || end < 0) return;
  const specs = JSON.parse(buffered.slice(0, end)) as BackendSpec[];
  backends = Promise.all(specs.map(startBackend));
  void backends.then((running) => process.stdout.write(`${JSON.stringify(running.map((b) => b.port))}\n`));
});
process.stdin.on('end', () => void (backends ?? Promise.resolve([])).then((running) => Promise.all(running.map((b) => b.stop()))).then(() => process.exit(0)));
