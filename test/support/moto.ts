/**
 * moto's AWS API emulator (`moto_server`, Python), started on 127.0.0.1 at a free port for one
 * test file and stopped after it: real AWS SDK clients, real requests, real paginators.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastLine } from './last-line';
import { MOTO_SERVER, ensurePythonCommand, forgetPythonCommand } from './python';

export interface RunningMoto {
  readonly endpoint: string;
  /**
   * The environment the SDK needs to talk to it. Request compression is off for the
   * emulator only: moto's server cannot read gzip-compressed bodies (PutMetricData's).
   */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Whether the server answers on the port (one request, its connection closed after). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/moto-api/', agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** How long moto may take to listen and answer. */
const START_TIMEOUT_MS = 20_000;

/** The line werkzeug prints once it listens, with the port the system gave it. */
const LISTENING = /Running on http:\/\/127\.0\.0\.1:(\d+)/;

/**
 * Starts `moto_server` on a port the system gives it and waits (at most `START_TIMEOUT_MS`) until it answers.
 *
 * Why not a port found closed beforehand: between that look and moto's bind (a second of
 * Python's start) another process took the port in a parallel run, and the readiness check
 * got its answer from that process: the SDK then read "ok" as XML.
 */
export async function startMoto(): Promise<RunningMoto> {
  const child: ChildProcess = spawn(ensurePythonCommand(MOTO_SERVER.command, MOTO_SERVER.pkg), ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let port: number | undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    port ??= Number(LISTENING.exec(stderr)?.[1]) || undefined;
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(forced);
  };
  // A deadline, not a count of attempts: an attempt on a port that takes connections but never
  // answers lasts its 1 s timeout, and 200 of them were nearly four minutes, past the hook's own timeout.
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      forgetPythonCommand(MOTO_SERVER.command);
      throw new Error(`moto_server exited (${child.exitCode}): ${lastLine(stderr)}`);
    }
    if (port !== undefined && (await answers(port))) {
      const endpoint = `http://127.0.0.1:${port}`;
      return {
        endpoint,
        env: { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_DISABLE_REQUEST_COMPRESSION: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
        stop,
      };
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`moto_server did not answer ${port === undefined ? 'nor say its port' : `on 127.0.0.1:${port}`} within ${START_TIMEOUT_MS / 1000} s: ${lastLine(stderr)}`);
}

/**
 * Points the AWS SDK of this process at the emulator alone: its settings, and no profile or
 * other `AWS_` variable of the machine (restore `process.env` after the tests).
 *
 * @example
 * moto = await startMoto();
 * useMotoOnly(moto);
 */
export function useMotoOnly(moto: RunningMoto): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, moto.env, { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
}
