/**
 * A clone works like an install: `git clone`, `npm ci`, then the README's "Test one backend by
 * hand" command, verbatim but for the target, against a loopback backend; and the built bin
 * runs as it is (its execute bit).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../support/built-package';
import { runIn } from './run';

ensureBuilt();

const ROOT = join(__dirname, '..', '..');

/** The README's by-hand probe command: the first line of the section's code block. */
function readmeProbeCommand(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Test one backend by hand'));
  return /```sh\n(npx idle-canary probe [^\n]*)\n/.exec(section)![1];
}

/**
 * A backend that closes every connection idle for 0.5 s and names itself (so the probe waits
 * for no sweep): it fails both phases within seconds, whatever the idle timeout.
 */
async function eagerBackend(): Promise<Server> {
  const server = createServer((socket) => {
    socket.setTimeout(500, () => socket.end());
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      socket.write('HTTP/1.1 200 OK\r\nServer: eager\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('a fresh clone of the repository', () => {
  let clone: string;
  let backend: Server;

  beforeAll(async () => {
    // Prepare: git clone of this repository's committed state, then npm ci (from npm's cache when it can)
    clone = join(mkdtempSync(join(tmpdir(), 'idle-canary-clone-')), 'idle-canary');
    backend = await eagerBackend();
    const cloned = await runIn(tmpdir(), 'git', ['clone', '--quiet', ROOT, clone]);
    if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr.trim()}`);
    const installed = await runIn(clone, 'npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 300_000 });
    if (installed.status !== 0) throw new Error(`npm ci failed (${installed.status}): ${installed.stderr.trim().split('\n').at(-1)}`);
  }, 330_000);

  afterAll(async () => {
    await new Promise((resolve) => backend?.close(resolve));
    rmSync(join(clone, '..'), { recursive: true, force: true });
  });

  it("runs the README's by-hand probe command after npm ci, as an install does", async () => {
    // Prepare
    const command = readmeProbeCommand().replace('10.0.3.17:30080', `127.0.0.1:${(backend.address() as { port: number }).port}`);

    // Act
    const run = await runIn(clone, 'sh', ['-c', command], { timeoutMs: 120_000 });

    // Assess: the backend drops idle connections after 0.5 s, far below the 60 s load balancer
    console.log(`${command}: exit ${run.status}\n${run.stdout}`);
    expect(command).toMatch(/^npx idle-canary probe 127\.0\.0\.1:\d+ --lb-idle-timeout 60$/);
    expect(run.stderr).not.toMatch(/not found|Permission denied/);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('FAIL');
  }, 130_000);
});

describe('the built command', () => {
  it('is executable as npm links it, and runs as it is', async () => {
    // Prepare
    const bin = join(ROOT, 'dist', 'bin', 'idle-canary.js');

    // Act
    const run = await runIn(ROOT, bin, ['--version']);

    // Assess
    expect(statSync(bin).mode & 0o111).toBe(0o111);
    expect(statSync(join(ROOT, 'dist', 'idle-canary.cjs')).mode & 0o111).toBe(0o111);
    expect(run).toMatchObject({ status: 0, stdout: `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n` });
  });
});
