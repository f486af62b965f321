/**
 * The command with real probes of the demo backends, whose limits are seconds long.
 */
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
