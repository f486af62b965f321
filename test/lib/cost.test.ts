import { ACCESS_LOG_ASSUMPTIONS, ASSUMPTIONS, PRICES, accessLogsMonthlyCost, alarmSeries, longProbeCost, monthlyCost, publicOriginsCost, runMetrics } from '../../lib/cost';
import { worstCaseAnyS, worstCaseS } from '../../lambda/run/route';
import { TARGETS_PER_INVOCATION } from '../../lib/probe-settings';
import { defaults } from '../../lib/props';
import { periodOf } from '../../lib/schedule';

describe('monthlyCost', () => {
  it('models the stack as deployed: its schedule, sampling, invocation size and metric count', () => {
    // Act
    const small = monthlyCost(10, 'detailed');
    const large = monthlyCost(2000, 'detailed');

    // Assess
    expect(ASSUMPTIONS).toMatchObject({ periodMinutes: periodOf(defaults.schedule), backendsPerLoadBalancer: defaults.maxBackendsPerPort, targetsPerInvocation: TARGETS_PER_INVOCATION });
    expect(small.runs).toBe(2918);
    expect(small.invocationsPerRun).toBe(Math.ceil(20 / TARGETS_PER_INVOCATION) + 2);
    expect(large.invocationsPerRun).toBe(Math.ceil(4000 / TARGETS_PER_INVOCATION) + 2);
    // 8 metrics per load balancer and 2 for the fleet, plus one PutMetricData call per run
    expect(small.metrics).toBeCloseTo(82 * PRICES.customMetric + 2918 * PRICES.putMetricDataRequest, 2);
  });

  it('prices metrics above 10,000 at the lower tier', () => {
    // Act
    const { metrics } = monthlyCost(2000, 'detailed');

    // Assess: 16,002 metrics, put in 17 PutMetricData calls of up to 1,000 datums per run
    expect(metrics).toBeCloseTo(10_000 * 0.3 + 6002 * 0.1 + 2918 * 17 * PRICES.putMetricDataRequest, 2);
  });
});

describe('monthlyCost by metric set', () => {
  it('prices the detailed set as it always was: 8 metrics per load balancer and two Metrics Insights alarms analyzing one series per load balancer each', () => {
    // Act
    const costs = [100, 2000].map((n) => monthlyCost(n, 'detailed'));

    // Assess
    expect(runMetrics('detailed')).toEqual({ perLoadBalancer: 8, fleet: 2 });
    expect(alarmSeries('detailed', 100)).toBe(202);
    // Assess: as 0.2.0 ($270.75, $4,119.44) plus the heartbeat's arming alarm ($0.10) and composite ($0.50),
    // and the probe invocations of 19 sockets per target (47 targets each, not 56: $1.53, $21.34)
    expect(costs.map((c) => c.total)).toEqual([272.88, 4145.95]);
  });

  it('keeps the lean set, the default, at most $0.50 per load balancer-month at 100 and 2,000 load balancers', () => {
    // Act
    const costs = [100, 2000].map((n) => monthlyCost(n));

    // Assess: one metric per load balancer, four for the fleet; three alarms of one series each
    expect(costs.map((c) => c.metricSet)).toEqual(['lean', 'lean']);
    expect(runMetrics('lean')).toEqual({ perLoadBalancer: 1, fleet: 4 });
    expect(alarmSeries('lean', 2000)).toBe(4);
    expect(costs[0].metrics).toBeCloseTo(104 * PRICES.customMetric + 2918 * PRICES.putMetricDataRequest, 2);
    expect(costs[1].alarms).toBeCloseTo(4 * PRICES.alarmMetric + PRICES.compositeAlarm, 2);
    for (const cost of costs) expect(cost.perLoadBalancer).toBeLessThanOrEqual(0.5);
  });
});

describe('accessLogsMonthlyCost', () => {
  it('bills the lean set\'s hang-ups only in the hours that have some, and the alarm one series per load balancer in both sets', () => {
    // Act
    const lean = accessLogsMonthlyCost(100, 'lean');
    const detailed = accessLogsMonthlyCost(100, 'detailed');

    // Assess
    expect(lean.metrics).toBeCloseTo(100 * ACCESS_LOG_ASSUMPTIONS.hangupHourShare * PRICES.customMetric + lean.objects * ACCESS_LOG_ASSUMPTIONS.hangupHourShare * PRICES.putMetricDataRequest, 2);
    expect([lean.alarms, detailed.alarms]).toEqual([10, 10]);
    expect(lean.total).toBeLessThan(detailed.total);
  });

  it('counts one invocation, one PutMetricData, one log read and two marker writes and reads per log object', () => {
    // Act
    const cost = accessLogsMonthlyCost(10, 'detailed');

    // Assess: 10 load balancers x 2 nodes x 12 objects an hour x 729.6 hours, BackendHangups and RequestsLogged each
    expect(cost.objects).toBe(175_104);
    expect(cost.metrics).toBeCloseTo(10 * 2 * PRICES.customMetric + 175_104 * PRICES.putMetricDataRequest, 2);
    expect(cost.s3).toBeCloseTo(175_104 * (2 * PRICES.s3Put + 2 * PRICES.s3Get), 2);
    expect(cost.total).toBeCloseTo(cost.lambda + cost.metrics + cost.alarms + cost.s3, 2);
  });
});

describe('longProbeCost', () => {
  it('bills a 3,600 s load balancer\'s task for one horizon with eager or healthy backends, and at most its budget, at the 90-minute schedule', () => {
    // Act
    const cost = longProbeCost(3600);

    // Assess: 60 s start + 3,990 s (a 3,960 s horizon, 10 s answer, 20 s start of the probe); at most 89 - 1 - 5 - 4 minutes of budget
    expect(cost.taskSeconds).toEqual({ typical: 4050, worst: 60 + 4740 });
    expect(cost.vcpuSeconds).toEqual({ typical: Math.round(4050 * 0.25), worst: 1200 });
    expect(cost.gbSeconds).toEqual({ typical: 2025, worst: 2400 });
    expect(cost.usdPerRun.typical).toBeCloseTo((4050 / 3600) * (0.25 * PRICES.fargateVcpuHourArm + 0.5 * PRICES.fargateGbHourArm), 4);
    expect(cost.runs).toBe(486);
  });
});

describe('publicOriginsCost', () => {
  it('prices one invocation of the probe outside any VPC per socket budget of origins per run, one horizon over the keep-alive long, up to a lazy narrowing', () => {
    // Act
    const [one, budget, more] = [1, TARGETS_PER_INVOCATION, TARGETS_PER_INVOCATION + 1].map((n) => publicOriginsCost(n, 5));

    // Assess: 2,918 runs of one invocation (512 MB) of the eager worst case, its request and two transitions
    const perSecond = 0.5 * PRICES.lambdaGbSecondArm;
    const fixed = PRICES.lambdaRequest + 2 * PRICES.stepFunctionsTransition;
    expect([one.invocationsPerRun, budget.invocationsPerRun, more.invocationsPerRun]).toEqual([1, 1, 2]);
    expect(one.usdPerMonth.typical).toBeCloseTo(2918 * (worstCaseS(5, 'eager') * perSecond + fixed), 2);
    expect(one.usdPerMonth.worst).toBeCloseTo(2918 * (worstCaseAnyS(5) * perSecond + fixed), 2);
    expect(more.usdPerMonth.typical).toBeCloseTo(2 * one.usdPerMonth.typical, 1);
    expect(publicOriginsCost(1, 60).usdPerMonth.typical).toBeGreaterThan(one.usdPerMonth.typical);
  });
});
