/**
 * Servers that close idle connections in periodic sweeps, and servers lazy in both phases,
 * probed for real on loopback.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runProbe, type ProbeResult } from '../../../lambda/probe';
import { lazyBothServer, sweepingServer, type LoopbackServer } from '../../support/loopback';

const LB_S = 3;
const OPTIONS = { marginS: 0.2, precisionS: 0.1, sweepPrecisionS: 0.1 };
const job = (port: number) => ({ target: { host: '127.0.0.1', port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: LB_S });

describe('a Node.js server that checks headersTimeout in periodic sweeps', () => {
  const servers: LoopbackServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /**
   * Probes `runs` servers at once, each started at a random offset before its probe, so that
   * every run meets the sweeps at another phase.
   */
  async function probeAtRandomPhases(runs: number, intervalMs: number): Promise<ProbeResult[]> {
    return Promise.all(
      Array.from({ length: runs }, async () => {
        const server = await sweepingServer(2000, intervalMs);
        servers.push(server);
        await sleep(Math.random() * intervalMs);
        const { results } = await runProbe([job(server.port)], OPTIONS);
        return results[0];
      }),
    );
  }

  it.each([1000, 400])('brackets the 2 s threshold to the precision and fails, the same in 20 runs at random phases of a %i ms sweep', async (intervalMs) => {
    // Act
    const results = await probeAtRandomPhases(20, intervalMs);

    // Assess: within the precision, plus what one event loop shared by 20 servers and their probes adds
    const noiseS = 0.05;
    for (const result of results) {
      const preRequest = result.phases.preRequest!;
      expect(preRequest).toMatchObject({ enforcement: 'eager', closedWith: 'http-408', verdict: 'fail' });
      expect(preRequest.survivedS!).toBeLessThanOrEqual(2 + noiseS);
      expect(preRequest.limitS!).toBeGreaterThan(2 - noiseS);
      expect(preRequest.limitS!).toBeLessThanOrEqual(2 + 0.1 + noiseS);
      expect(preRequest.limitS! - preRequest.survivedS!).toBeLessThanOrEqual(0.1 + noiseS);
      expect(preRequest.sweepS!).toBeGreaterThan(0);
      expect(preRequest.sweepS!).toBeLessThanOrEqual(intervalMs / 1000 + 0.05);
      expect(result.peakSockets).toBeLessThanOrEqual(16);
    }
  }, 30_000);
});

describe('a server lazy in both phases', () => {
  let server: LoopbackServer;
  afterEach(() => server.close());

  it('narrows both brackets to the precision within the budget of 16 sockets at once', async () => {
    // Prepare
    server = await lazyBothServer(1500, 2200);

    // Act
    const { results } = await runProbe([job(server.port)], OPTIONS);

    // Assess
    const { preRequest, keepAlive } = results[0].phases;
    for (const [phase, limitS] of [[preRequest!, 1.5], [keepAlive!, 2.2]] as const) {
      expect(phase).toMatchObject({ enforcement: 'lazy', verdict: 'fail', sweepS: null });
      expect(phase.survivedS!).toBeLessThanOrEqual(limitS + 0.01);
      expect(phase.failedS!).toBeGreaterThan(limitS);
      expect(phase.failedS! - phase.survivedS!).toBeLessThanOrEqual(0.1 + 0.01);
    }
    expect(results[0].peakSockets).toBeLessThanOrEqual(16);
  }, 30_000);
});
