/**
 * The README's CI recipe, verbatim, behind a real 60 s load balancer timeout: a Node.js server
 * with its defaults (keep-alive 5 s) fails the job, the fix the recipe's advice names
 * (`keepAliveTimeout` 65000, `headersTimeout` 66000) passes it. About 70 s, both jobs at once.
 */
import { nodeServer, runCiJobs } from './ci-recipe';

describe('the CI recipe of the README, behind a 60 s load balancer', () => {
  it('exits 1 for a default Node.js server and 0 for one with keepAliveTimeout 65000 and headersTimeout 66000', async () => {
    // Prepare
    const defaults = await nodeServer();
    const fixed = await nodeServer((s) => ((s.keepAliveTimeout = 65_000), (s.headersTimeout = 66_000)));

    try {
      // Act
      const [failing, passing] = await runCiJobs([{ LB_IDLE_TIMEOUT: '60', APP_URL: defaults.url }, { LB_IDLE_TIMEOUT: '60', APP_URL: fixed.url }], 240_000);
      console.log(`default Node.js (exit ${failing.code}):\n${failing.output}\nkeepAliveTimeout 65000, headersTimeout 66000 (exit ${passing.code}):\n${passing.output}`);

      // Assess
      expect(failing.code).toBe(1);
      expect(failing.result).toMatchObject({ loadBalancerIdleTimeoutS: 60, verdict: 'fail', phases: { keepAlive: { verdict: 'fail' } } });
      expect(failing.output).toContain('server.keepAliveTimeout = 65000');
      expect(passing.code).toBe(0);
      expect(passing.result).toMatchObject({ loadBalancerIdleTimeoutS: 60, verdict: 'pass' });
    } finally {
      await Promise.all([defaults.close(), fixed.close()]);
    }
  }, 300_000);
});
