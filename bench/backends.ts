/**
 * Demo backends in a child process, for the benchmarks.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BackendSpec } from '../cli/demo/backends';

export interface BackendProcess {
  readonly ports: number[];
  /** Stops the backends; resolves with the worst event-loop delay their process had. */
  stop(): Promise<{ readonly maxDelayMs: number }>;
}

/** Starts backends in a child process and waits for their ports. */
export function startBackends(specs: readonly BackendSpec[]): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'backends-process.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write(`${JSON.stringify(specs)}\n`);
  const lines = createInterface({ input: child.stdout });
  const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
  let stopped: Promise<{ maxDelayMs: number }> | undefined;
  return nextLine().then((ports) => ({
    ports: JSON.parse(ports) as number[],
    stop: () => {
      if (stopped === undefined) {
        stopped = nextLine().then((stats) => JSON.parse(stats) as { maxDelayMs: number });
        child.stdin.end();
      }
      return stopped;
    },
  }));
}

