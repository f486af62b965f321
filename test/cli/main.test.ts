import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { DEMO_BACKENDS, startBackend, type RunningBackend } from '../../cli/demo/backends';
import type { ProbeResult } from '../../lambda/probe';
import { capture } from '../support/capture';

describe('idle-canary probe', () => {
  const running: RunningBackend[] = [];
  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop()));
  });

  it('probes several targets at once and prints only the contract JSON array, exiting 1 on a failure', async () => {
    // Prepare: the demo's lazy backend and its tuned one
    const backends = await Promise.all([DEMO_BACKENDS[2], DEMO_BACKENDS[3]].map(startBackend));
    running.push(...backends);
    const { io, out } = capture();

    // Act
    const status = await main(['probe', ...backends.map((b) => `${b.host}:${b.port}`), '--lb-idle-timeout', '6', '--margin', '0.5', '--json'], io);

    // Assess
    const results = JSON.parse(out()) as ProbeResult[];
    expect(status).toBe(1);
    expect(results.map((r) => r.verdict)).toEqual(['fail', 'pass']);
    expect(results[0].phases.preRequest).toMatchObject({ enforcement: 'lazy', verdict: 'fail' });
    expect(Math.abs(results[0].phases.preRequest!.limitS! - 4)).toBeLessThan(0.6);
    expect(Object.keys(results[1])).toEqual(expect.arrayContaining(['target', 'loadBalancerIdleTimeoutS', 'horizonS', 'phases', 'verdict']));
  }, 30_000);

  it('exits 2 with a one-line error naming the bad value', async () => {
    // Prepare
    const { io, err, out } = capture();

    // Act
    const status = await main(['probe', '127.0.0.1:8080', '--lb-idle-timeout', 'soon'], io);

    // Assess
    expect(status).toBe(2);
    expect(err().split('\n')[0]).toBe('idle-canary: --lb-idle-timeout "soon": expected a number of seconds from 1 to 4000');
    expect(out()).toBe('');
  });

  it('exits 2 when the target cannot be probed at all, saying why in the report', async () => {
    // Prepare: a port that was just released
    const backend = await startBackend(DEMO_BACKENDS[3]);
    await backend.stop();
    const { io, out } = capture();

    // Act
    const status = await main(['probe', `127.0.0.1:${backend.port}`, '--lb-idle-timeout', '2'], io);

    // Assess
    expect(status).toBe(2);
    expect(out()).toContain(`127.0.0.1:${backend.port} could not be probed: 127.0.0.1:${backend.port}: connection refused`);
  });
});

describe('idle-canary demo', () => {
  it('probes the four demo backends and reports each verdict', async () => {
    // Prepare
    const { io, out } = capture();

    // Act
    const status = await main(['demo'], io);

    // Assess
    expect(status).toBe(0);
    const verdictLines = out().split('\n').filter((line) => /^127\.0\.0\.1:\d+ {2}(PASS|FAIL|INCONCLUSIVE)/.test(line));
    expect(verdictLines.map((line) => line.split(/\s+/)[1])).toEqual(['FAIL', 'FAIL', 'FAIL', 'PASS']);
    expect(out()).toContain('lazily: nothing happens while they are idle');
  }, 30_000);
});

describe('idle-canary --help and --version', () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

  it.each([['idle-canary', []], ...['probe', 'scan', 'report', 'logs', 'demo'].map((name) => [name, [name]])] as Array<[string, string[]]>)('%s --version prints the package version and exits 0', async (_name, command) => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const status = await main([...command, '--version'], io);

    // Assess
    expect({ status, out: out(), err: err() }).toEqual({ status: 0, out: `${version}\n`, err: '' });
  });

  it.each(['probe', 'scan', 'report', 'logs', 'demo'])('%s --help prints its usage and exits 0', async (command) => {
    // Prepare
    const { io, out } = capture();

    // Act
    const status = await main([command, '--help'], io);

    // Assess
    expect(status).toBe(0);
    expect(out()).toMatch(new RegExp(`^usage: idle-canary ${command}`));
  });

  it('names an unknown command and the known ones, exiting 2', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await main(['probes'], io);

    // Assess
    expect(status).toBe(2);
    expect(err().split('\n')[0]).toBe('idle-canary: unknown command "probes": expected probe, scan, report, logs or demo');
  });

  it('rejects an argument demo does not take, with its usage', async () => {
    // Prepare
    const { io, err } = capture();

    // Act
    const status = await main(['demo', '--fast'], io);

    // Assess
    expect(status).toBe(2);
    expect(err()).toMatch(/^idle-canary: Unknown option '--fast'\nusage: idle-canary demo/);
  });
});
