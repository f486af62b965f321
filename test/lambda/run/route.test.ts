import { FAILURE_MAX_BYTES, inlineStateBound, LONG_RUN_TIMEOUT_MINUTES, longProbeTime } from '../../../lambda/run/limits';
import { lambdaProbeS, routeOf, splitByRoute, worstCaseAnyS, worstCaseS, type WorstCaseKind } from '../../../lambda/run/route';

const KINDS: readonly WorstCaseKind[] = ['eager', 'sweep', 'lazy'];

describe('routeOf', () => {
  it('sends a load balancer to Lambda when every kind of backend fits 801 s, the probe function\'s 890 s less 10 %', () => {
    // Prepare
    const fits = (timeoutS: number) => KINDS.every((kind) => worstCaseS(timeoutS, kind) <= lambdaProbeS());

    // Act
    const lastLambda = [...Array(4000).keys()].map((i) => i + 1).filter((timeoutS) => routeOf(timeoutS) === 'lambda').pop();

    // Assess: 273 s is the boundary, set by the lazy case (two horizons and half a bracket)
    expect(lambdaProbeS()).toBe(801);
    expect(lastLambda).toBe(273);
    expect(worstCaseS(273, 'lazy')).toBeLessThanOrEqual(801);
    expect(worstCaseS(274, 'lazy')).toBeGreaterThan(801);
    expect([60, 240, 273].map((t) => [routeOf(t), fits(t)])).toEqual([['lambda', true], ['lambda', true], ['lambda', true]]);
  });

  it.each([
    // timeout, eager, sweep, lazy (seconds, start included): which kinds alone would fit a Lambda
    [600, 690, 1020, 1700, ['eager']],
    [840, 954, 1416, 2360, []],
    [905, 1025.5, 1523.25, 2538.75, []],
    [3600, 3990, 5970, 9950, []],
    [4000, 4430, 6630, 11050, []],
  ])('sends a %i s load balancer to the long probe (eager %f s, sweep %f s, lazy %f s)', (timeoutS, eager, sweep, lazy, fitting) => {
    // Act
    const worst = KINDS.map((kind) => worstCaseS(timeoutS, kind));

    // Assess: a 600 s eager backend would fit, one that may sweep is waited for half a horizon more, a lazy one needs about 1,700 s; the route holds for every kind
    expect(worst).toEqual([eager, sweep, lazy]);
    expect(KINDS.filter((kind) => worstCaseS(timeoutS, kind) <= lambdaProbeS())).toEqual(fitting);
    expect(routeOf(timeoutS)).toBe('long');
    expect(worstCaseAnyS(timeoutS)).toBe(lazy);
  });

  it('follows the probe function\'s timeout: 75 s sends 2 s load balancers to Lambda and 3 s ones to the long probe', () => {
    // Act & Assess: what the run test scales down to (a second-scale probe still waits up to 10 s for an answer)
    expect([1, 2, 3, 4].map((timeoutS) => routeOf(timeoutS, 75))).toEqual(['lambda', 'lambda', 'long', 'long']);
  });

  it('splits a plan by the longest idle timeout of each backend\'s load balancers', () => {
    // Prepare
    const item = (key: string, loadBalancerIdleTimeoutS: number) => ({ key, job: { loadBalancerIdleTimeoutS } });

    // Act
    const routes = splitByRoute([item('a', 60), item('b', 3600), item('c', 273), item('d', 905)]);

    // Assess
    expect(routes.lambda.map((i) => i.key)).toEqual(['a', 'c']);
    expect(routes.long.map((i) => i.key)).toEqual(['b', 'd']);
  });
});

describe('longProbeTime', () => {
  const start = Date.parse('2026-11-30T17:00:00Z');

  it('gives a 3,600 s load balancer its whole worst case when the run has time for it', () => {
    // Act
    const time = longProbeTime(4020, start, start + 60_000);

    // Assess: the task's timeout adds its start (180 s) and its end (60 s)
    expect(time).toEqual({ budgetS: 4020, timeoutS: 4260 });
  });

  it("caps the budget at what the run has left once publish is kept room for, so the task ends within the run's timeout", () => {
    // Act: a 4,000 s lazy worst case, discover having taken 2 minutes
    const time = longProbeTime(worstCaseAnyS(4000), start, start + 120_000);

    // Assess: 89 min - 2 min - 5 min publish - 4 min task start and end; still beyond a 4,000 s horizon (4,400 s)
    expect(time.budgetS).toBe(LONG_RUN_TIMEOUT_MINUTES * 60 - 120 - 300 - 240);
    expect(time.budgetS).toBeGreaterThan(4400);
    expect(120 + time.timeoutS + 300).toBeLessThanOrEqual(LONG_RUN_TIMEOUT_MINUTES * 60);
  });
});

describe('inlineStateBound with long probes', () => {
  it('counts a caught failure for each long probe, whose outcome comes back into the state', () => {
    // Prepare
    const run = { mode: 'inline' as const, runId: 'r', startedAt: '2026-11-30T17:00:00Z', discoveryKey: 'k', shards: [] };
    const probe = { vpcId: 'vpc-0a1', planKey: 'p', resultKey: 'r', items: 1, deferred: 0, budgetS: 4020, timeoutS: 4260 };

    // Act
    const without = inlineStateBound(run);
    const withTwo = inlineStateBound({ ...run, long: [probe, { ...probe, vpcId: 'vpc-0b2' }] });

    // Assess
    expect(withTwo - without).toBeGreaterThanOrEqual(2 * FAILURE_MAX_BYTES);
  });
});
