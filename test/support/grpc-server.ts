/**
 * A real gRPC server on loopback: Debian's python3-grpcio (installed on first use) serving the
 * standard health service, with gRPC's own idle timeout (`grpc.max_connection_idle_ms`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureDebianPackage } from './debian';
import { lastLine } from './last-line';
import { runningServer, type RunningServer } from './real-servers';

/** Debian's Python, which python3-grpcio installs into (a python3 earlier on PATH may lack it). */
const DEBIAN_PYTHON = '/usr/bin/python3';

/** How long the server may take to print its port. */
const START_TIMEOUT_MS = 10_000;

/** A running gRPC server and the calls it answered. */
export interface GrpcServer extends RunningServer {
  /** The method of every call answered, in order. */
  readonly served: readonly string[];
}

/**
 * Starts the gRPC health server; `idleMs` > 0 closes idle connections after that long (GOAWAY).
 *
 * @example
 * const server = await startGrpcServer(1500);
 */
export async function startGrpcServer(idleMs: number): Promise<GrpcServer> {
  await ensureDebianPackage('/usr/lib/python3/dist-packages/grpc/__init__.py', 'python3-grpcio');
  const child = spawn(DEBIAN_PYTHON, [join(__dirname, 'grpc', 'health-server.py'), String(idleMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = runningServer(child, 0);
  const served: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const lines = createInterface({ input: child.stdout });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gRPC server printed no port within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.once('exit', (code) => reject(new Error(`the gRPC server exited with status ${code} before listening: ${lastLine(stderr)}`)));
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(Number(line));
      });
    });
    lines.on('line', (line) => line.startsWith('served ') && served.push(line.slice('served '.length)));
    return { ...server, port, served };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
