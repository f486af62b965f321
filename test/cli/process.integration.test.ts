/**
 * The built command as a process, the way a shell or a CI job runs it: colours by `NO_COLOR` /
 * `FORCE_COLOR` on a real terminal (`script` gives it one) and through a pipe, `SIGTERM`
 * handled as Ctrl-C, and a socket cap that fits `ulimit -n`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ProbeResult } from '../../lambda/probe';
import { runIn, USER_ENV } from '../package/run';
import { ensureBuilt } from '../support/built-package';
import { httpServer, type LoopbackServer } from '../support/loopback';

ensureBuilt();

const BIN = join(__dirname, '..', '..', 'dist', 'bin', 'idle-canary.js');

/** Any escape sequence (CSI or another ESC). */
// eslint-disable-next-line no-control-regex -- finding escape sequences is the point
const ESCAPE = /\u001b/;

/** Runs the command through `sh -c`, its output piped; the environment given on top of the user's, without colour settings. */
function shell(command: string, env: NodeJS.ProcessEnv = {}) {
  const inherited = Object.fromEntries(Object.entries(USER_ENV).filter(([name]) => name !== 'NO_COLOR' && name !== 'FORCE_COLOR'));
  return runIn(__dirname, '/bin/sh', ['-c', command], { env: { ...inherited, ...env }, timeoutMs: 100_000 });
}

describe('the idle-canary process', () => {
  let tuned: LoopbackServer;
  let target: string;

  beforeAll(async () => {
    // A backend that keeps idle connections 20 s and names itself: a 1 s load balancer passes in about 2 s
    tuned = await httpServer({ keepAliveTimeout: 20_000, headersTimeout: 20_000 }, { Server: 'tuned' });
    target = `127.0.0.1:${tuned.port}`;
  });

  afterAll(async () => {
    await tuned.close();
  });

  it('writes no escape sequence on a terminal with NO_COLOR set, and colours there without it', async () => {
    // Act: `script` runs the command on a pseudo-terminal and copies what it wrote
    const onTerminal = (env: string) => shell(`script -qec "${env} node ${BIN} probe ${target} --lb-idle-timeout 1" /dev/null`);
    const [plain, coloured] = await Promise.all([onTerminal('NO_COLOR=1'), onTerminal('')]);

    // Assess
    expect(plain.stdout).toContain('PASS');
    expect(plain.stdout).not.toMatch(ESCAPE);
    expect(coloured.stdout).toMatch(ESCAPE);
  }, 30_000);

  it('colours piped output with FORCE_COLOR set, and not without', async () => {
    // Act
    const [forced, piped] = await Promise.all([shell(`node ${BIN} probe ${target} --lb-idle-timeout 1 | cat`, { FORCE_COLOR: '1' }), shell(`node ${BIN} probe ${target} --lb-idle-timeout 1 | cat`)]);

    // Assess
    expect(forced.stdout).toContain('\u001b[32m');
    expect(piped.stdout).toContain('PASS');
    expect(piped.stdout).not.toMatch(ESCAPE);
  }, 30_000);

  it('prints what was measured and exits on SIGTERM, as on Ctrl-C', async () => {
    // Prepare: a 30 s load balancer, a run of half a minute or more
    const child = spawn(process.execPath, [BIN, 'probe', target, '--lb-idle-timeout', '30', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Until the probe holds its sockets (not a fixed pause: a loaded machine starts Node.js in seconds), then half a second more
    const acceptedBefore = tuned.accepted();
    for (let waitedMs = 0; tuned.accepted() === acceptedBefore && waitedMs < 20_000; waitedMs += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Act
    child.kill('SIGTERM');
    const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // Assess: the result of the cut-short run, inconclusive (exit 3), with the sockets it had opened
    const result = JSON.parse(stdout) as ProbeResult;
    expect(status).toBe(3);
    expect(result.verdict).toBe('inconclusive');
    expect(result.socketsUsed).toBeGreaterThan(0);
  }, 30_000);

  it('fits its open sockets to ulimit -n: 300 targets under a limit of 256 give no EMFILE', async () => {
    // Prepare
    const targets = Array.from({ length: 300 }, () => target).join(' ');

    // Act
    const run = await shell(`ulimit -n 256 && exec node ${BIN} probe ${targets} --lb-idle-timeout 1 --max-sockets 4 --json`);

    // Assess
    const results = JSON.parse(run.stdout) as ProbeResult[];
    const verdicts = results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.verdict]: (counts[r.verdict] ?? 0) + 1 }), {});
    console.log(`300 targets under ulimit -n 256: ${JSON.stringify(verdicts)}, peak sockets per target ${Math.max(...results.map((r) => r.peakSockets ?? 0))}`);
    expect(run.stdout).not.toContain('EMFILE');
    expect(verdicts).toEqual({ pass: 300 });
    expect(run.status).toBe(0);
  }, 110_000);
});
