/**
 * Demo backends in a child process, for the benchmarks.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BackendSpec } from '../cli/demo/backends';

export interface BackendProcess {
  readonly ports: number[];
  stop(): void;
}

/** Starts backends in a child process and waits for their ports. */
export function startBackends(specs: readonly BackendSpec[]): Promise<BackendProcess> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'backends-process.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write(`${JSON.stringify(specs)}\n`);
  return new Promise((resolve) => {
    child.stdout.once('data', (line: Buffer) => resolve({ ports: JSON.parse(line.toString()) as number[], stop: () => child.stdin.end() }));
  });
}

