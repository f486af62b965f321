/**
 * Real application servers beyond Node.js for the compatibility tests: uvicorn, gunicorn, puma
 * and Go's `net/http`, each answering `ok` with the smallest application of its kind
 * (`test/support/app-servers/`).
 *
 * Why these: many services behind load balancers run Python, Ruby or Go servers, each with its
 * own timers and quirks (a worker that serves one connection at a time, timers checked once a
 * second); the probe must judge them from what it observes. Each is installed on first use from
 * Debian's packages, as nginx is (`debian.ts`), and started with its own defaults unless a test
 * names a setting.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE } from './cache';
import { ensureDebianPackage } from './debian';
import { lastLine } from './last-line';
import { closedPort } from './loopback';
import { runningServer, waitForPort, type RunningServer } from './real-servers';

const run = promisify(execFile);

/** The applications the servers run. */
const APPS = join(__dirname, 'app-servers');

/** Debian's interpreter: its packages' Python modules (uvicorn) are not on another Python's path. */
const PYTHON = '/usr/bin/python3';

/** What each server needs installed: a file the package ships, and the package. */
const PACKAGES = {
  uvicorn: { file: '/usr/lib/python3/dist-packages/uvicorn/__main__.py', pkg: 'python3-uvicorn' },
  gunicorn: { file: '/usr/bin/gunicorn', pkg: 'gunicorn' },
  puma: { file: '/usr/bin/puma', pkg: 'puma' },
  go: { file: '/usr/bin/go', pkg: 'golang-go' },
} as const;

export type AppServerKind = keyof typeof PACKAGES;

/** How long building the Go server may take (the first build compiles `net/http`: about 30 s on two busy cores). */
const GO_BUILD_TIMEOUT_MS = 240_000;

/** The most of a server's error output kept to explain a failed start. */
const STDERR_KEPT = 4096;

/**
 * Installs the Debian packages of these servers when missing (one `apt-get` per package, each
 * bounded; `debian.ts` serializes them).
 *
 * @example
 * await ensureAppServers(['uvicorn', 'go']);
 */
export async function ensureAppServers(kinds: readonly AppServerKind[]): Promise<void> {
  for (const kind of kinds) await ensureDebianPackage(PACKAGES[kind].file, PACKAGES[kind].pkg);
}

/** Settings of uvicorn, by its command-line names. */
export interface UvicornSettings {
  /** `--timeout-keep-alive`, uvicorn's own default (5 s) when not given. */
  readonly timeoutKeepAliveS?: number;
}

/** Runs uvicorn (`python3 -m uvicorn`, Debian's python3-uvicorn) with the ASGI application. */
export function startUvicorn(settings: UvicornSettings = {}): Promise<RunningServer> {
  const optional = settings.timeoutKeepAliveS === undefined ? [] : ['--timeout-keep-alive', String(settings.timeoutKeepAliveS)];
  return startOnFreePort('uvicorn', (port) => [PYTHON, ['-m', 'uvicorn', '--host', '127.0.0.1', '--port', String(port), '--app-dir', APPS, '--no-access-log', '--log-level', 'warning', ...optional, 'asgi:app']]);
}

/** Settings of gunicorn, by its command-line names. */
export interface GunicornSettings {
  /** `--threads`: more than 1 selects the threaded worker (`gthread`); the default sync worker otherwise. */
  readonly threads?: number;
  /** `--keep-alive`, gunicorn's own default (2 s) when not given; the sync worker ignores it. */
  readonly keepAliveS?: number;
  /** `--timeout`, gunicorn's own default (30 s) when not given. */
  readonly timeoutS?: number;
}

/** Runs gunicorn (one worker, its default) with the WSGI application. */
export function startGunicorn(settings: GunicornSettings = {}): Promise<RunningServer> {
  const optional = [
    ...(settings.threads === undefined ? [] : ['--threads', String(settings.threads)]),
    ...(settings.keepAliveS === undefined ? [] : ['--keep-alive', String(settings.keepAliveS)]),
    ...(settings.timeoutS === undefined ? [] : ['--timeout', String(settings.timeoutS)]),
  ];
  return startOnFreePort('gunicorn', (port) => [PACKAGES.gunicorn.file, ['--bind', `127.0.0.1:${port}`, '--chdir', APPS, '--log-level', 'warning', ...optional, 'wsgi:app']]);
}

/** Runs puma with the Rack application (`config.ru`) and its defaults. */
export function startPuma(): Promise<RunningServer> {
  return startOnFreePort('puma', (port) => [PACKAGES.puma.file, ['--bind', `tcp://127.0.0.1:${port}`, '--quiet', join(APPS, 'config.ru')]]);
}

/** Settings of Go's `http.Server`, by its field names; none gives `http.ListenAndServe`'s defaults. */
export interface GoServerSettings {
  readonly readHeaderTimeoutS?: number;
  readonly idleTimeoutS?: number;
}

/** Runs the Go `net/http` server (built once, see `ensureGoServer`). */
export async function startGoServer(settings: GoServerSettings = {}): Promise<RunningServer> {
  const binary = await ensureGoServer();
  const optional = [
    ...(settings.readHeaderTimeoutS === undefined ? [] : [`-read-header-timeout=${settings.readHeaderTimeoutS}s`]),
    ...(settings.idleTimeoutS === undefined ? [] : [`-idle-timeout=${settings.idleTimeoutS}s`]),
  ];
  return startOnFreePort('go net/http', (port) => [binary, [`-addr=127.0.0.1:${port}`, ...optional]]);
}

/**
 * The Go server's binary, built once into `.cache/go/` (named by the source's hash, so that an
 * edited source is built again).
 *
 * Why no network: `GOPROXY=off` and no `go.mod` build the standard
 * library only; a module download would fail rather than reach the internet.
 */
export async function ensureGoServer(): Promise<string> {
  await ensureAppServers(['go']);
  const source = join(APPS, 'main.go');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const binary = join(CACHE, 'go', `http-server-${hash}`);
  if (existsSync(binary)) return binary;
  await mkdir(join(CACHE, 'go'), { recursive: true });
  const work = await mkdtemp(join(CACHE, 'go', '.build-'));
  const env = { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local', GOCACHE: join(CACHE, 'go', 'build-cache'), GOPATH: join(CACHE, 'go', 'path'), CGO_ENABLED: '0' };
  try {
    await run(PACKAGES.go.file, ['build', '-o', join(work, 'server'), source], { env, timeout: GO_BUILD_TIMEOUT_MS, maxBuffer: 1 << 20 }).catch((error: { killed?: boolean; code?: number | string; stderr?: string }) => {
      const why = error.killed === true ? `took more than ${GO_BUILD_TIMEOUT_MS / 1000} s: stopped` : `failed (exit ${error.code}): ${lastLine(error.stderr)}`;
      throw new Error(`building ${source} with \`go build\` ${why}`);
    });
    // Atomic: concurrent test workers either see the whole binary or none.
    await rename(join(work, 'server'), binary);
    return binary;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Kills of the running servers' process groups: none may outlive the tests, even when they crash. */
const groups = new Set<() => void>();
process.on('exit', () => groups.forEach((kill) => kill()));

/**
 * Starts a server on a free loopback port and waits until it listens; a server that exits
 * first fails with the last line of its error output.
 */
async function startOnFreePort(name: string, command: (port: number) => [string, string[]]): Promise<RunningServer> {
  const port = await closedPort();
  const [file, args] = command(port);
  // A process group of its own: gunicorn's workers are its children, and go with it. No .pyc beside the applications.
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const stderr = keepTail(child);
  try {
    await waitForPort(port, child, name);
  } catch (error) {
    killGroup();
    throw new Error(`${(error as Error).message}: ${lastLine(stderr())}`);
  }
  groups.add(killGroup);
  const server = runningServer(child, port);
  return {
    ...server,
    stop: () => {
      groups.delete(killGroup);
      killGroup();
      return server.stop();
    },
  };
}

/** The last bytes a child wrote to stderr, bounded. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr!.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-STDERR_KEPT)));
  return () => tail;
}
