/**
 * One probe invocation for the benchmark, in its own process as Lambda gives it: reads a shard
 * on stdin, runs the real probe handler (through middy) with a 15-minute context, and prints
 * its result with its own peak memory and wall time.
 */
import { handler } from '../lambda/handlers/probe';
import { lambdaContext } from '../test/support/lambda-context';

async function run(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const output = await handler(JSON.parse(input), lambdaContext(900_000, 'idle-canary-bench-probe'));
  clearInterval(sampler);
  process.stdout.write(JSON.stringify({ output, peakRssMiB: peakRss / 2 ** 20, wallS: (performance.now() - started) / 1000 }));
}

void run();
