/**
 * The routing's worst-case model against a real probe: a lazy backend on loopback, narrowed
 * past the first round, ends within what the model gives it.
 */
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { runProbe } from '../../../lambda/probe';
import { worstCaseS } from '../../../lambda/run/route';

describe('the worst-case model against the engine', () => {
  let backend: RunningBackend;
  afterAll(() => backend?.stop());

  it('bounds a real probe of a lazy backend whose limit lies between the load balancer timeout and the horizon (the longest narrowing)', async () => {
    // Prepare: a 2 s load balancer (3 s horizon), a backend that lazily drops idles past 2.4 s; a precision finer than the staggered sockets' step (0.09 s), so that narrowing follows
    backend = await startBackend({ name: 'lazy', description: 'lazy', keepAliveTimeoutMs: 20_000, headersTimeoutMs: 20_000, lazyHeadersTimeoutMs: 2400 });

    // Act
    const { results, stats } = await runProbe([{ target: { host: '127.0.0.1', port: backend.port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 2 }], { phases: ['preRequest'], precisionS: 0.05 });

    // Assess: the limit was narrowed past the first round, and the run took no longer than the model says
    // (not the speed: the routing gives a probe this much time, and a run past it would be cut short)
    expect(results[0].phases.preRequest).toMatchObject({ enforcement: 'lazy' });
    expect(results[0].phases.preRequest!.sockets.some((s) => s.round > 1)).toBe(true);
    expect(stats.elapsedS).toBeLessThanOrEqual(worstCaseS(2, 'lazy'));
  }, 60_000);
});
