/**
 * The README's CI recipe, verbatim, behind a load balancer timeout scaled down to 3 s (its
 * `LB_IDLE_TIMEOUT` variable): a server that drops idle keep-alive connections first fails the
 * job, one that outlasts the load balancer passes it. The 60 s case is ci-recipe.compat.test.ts.
 */
import { nodeServer, runCiJobs } from './ci-recipe';

describe('the CI recipe of the README, scaled to a 3 s load balancer', () => {
  it('exits 1 for a server whose keep-alive is shorter than the load balancer, and 0 once it is longer, keeping the probe JSON', async () => {
    // Prepare: Node.js's 5 s keep-alive behind 60 s, scaled (0.4 s, plus Node's 1 s); and the fix, scaled (8 s and 9 s behind 3 s)
    const short = await nodeServer((s) => (s.keepAliveTimeout = 400));
    const fixed = await nodeServer((s) => ((s.keepAliveTimeout = 8000), (s.headersTimeout = 9000)));

    try {
      // Act: both jobs at once
      const [failing, passing] = await runCiJobs([{ LB_IDLE_TIMEOUT: '3', APP_URL: short.url }, { LB_IDLE_TIMEOUT: '3', APP_URL: fixed.url }], 60_000);
      console.log(`failing job (exit ${failing.code}):\n${failing.output}\npassing job (exit ${passing.code}):\n${passing.output}`);

      // Assess
      expect(failing.code).toBe(1);
      expect(failing.output).toContain('idle-canary: the new image drops idle connections before the load balancer does');
      expect(failing.result).toMatchObject({ loadBalancerIdleTimeoutS: 3, verdict: 'fail', phases: { keepAlive: { verdict: 'fail' } } });
      expect(passing.code).toBe(0);
      expect(passing.output).toContain('idle-canary: the new image outlasts the 3 s load balancer idle timeout');
      expect(passing.result).toMatchObject({ loadBalancerIdleTimeoutS: 3, verdict: 'pass' });
    } finally {
      await Promise.all([short.close(), fixed.close()]);
    }
  }, 90_000);

  it('fails the job when the server cannot be probed or judged (exit 2 or 3), and lets only doubt (3) pass when the job says so', async () => {
    // Prepare: a server that never answers a request (the probe cannot measure it)
    const silent = await nodeServer((s) => s.removeAllListeners('request'));

    try {
      // Act
      const [strict, lenient] = await runCiJobs([{ LB_IDLE_TIMEOUT: '2', APP_URL: silent.url }, { LB_IDLE_TIMEOUT: '2', APP_URL: silent.url, FAIL_ON_INCONCLUSIVE: 'false' }], 60_000);
      console.log(`strict job (exit ${strict.code}):\n${strict.output}\nlenient job (exit ${lenient.code}):\n${lenient.output}`);

      // Assess
      expect(strict.code).not.toBe(0);
      expect([2, 3]).toContain(strict.code);
      expect(lenient.code).toBe(strict.code === 3 ? 0 : strict.code);
    } finally {
      await silent.close();
    }
  }, 90_000);
});
