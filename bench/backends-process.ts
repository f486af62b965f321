/**
 * Runs demo backends in their own process for the benchmarks, so that the probe's memory
 * and timer lateness are measured without the servers' work.
 *
 * Reads a JSON array of `BackendSpec` from argv[2], prints one JSON line with their ports,
 * and stops them when stdin closes (so that it never outlives the benchmark).
 */
import { startBackend, type BackendSpec } from '../cli/demo/backends';

async function run(): Promise<void> {
  const specs = JSON.parse(process.argv[2]) as BackendSpec[];
  const backends = await Promise.all(specs.map(startBackend));
  process.stdout.write(`${JSON.stringify(backends.map((b) => b.port))}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void Promise.all(backends.map((b) => b.stop())).then(() => process.exit(0)));
}

void run();
