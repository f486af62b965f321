import type { LoadBalancerPlan, PlannedBackend, ProbePlanItem } from '../../../lambda/discovery/types';
import { scanExitCode } from '../../../cli/commands/scan';
import { judgeLoadBalancers, phaseHeadroomS } from '../../../lambda/judge';
import { toDatums } from '../../../lambda/metrics';
import { toScanReport } from '../../../lambda/report/scan';
import type { PhaseResult, ProbeResult } from '../../../lambda/probe';

const phase = (limitS: number | null, survivedS: number | null, lbS: number, verdict: PhaseResult['verdict']): PhaseResult => ({
  limitS,
  survivedS,
  failedS: limitS,
  enforcement: limitS === null ? 'none' : 'eager',
  sweepS: null,
  closedWith: limitS === null ? null : 'fin',
  headroomS: limitS === null ? (survivedS === null ? null : survivedS - lbS) : limitS - lbS,
  verdict,
  sockets: [],
});

const result = (host: string, lbS: number, preRequest: PhaseResult, keepAlive: PhaseResult, error?: ProbeResult['error']): ProbeResult => ({
  target: { host, port: 30080, tls: false, path: '/health' },
  loadBalancerIdleTimeoutS: lbS,
  horizonS: lbS * 1.1,
  phases: { preRequest, keepAlive },
  verdict: 'pass',
  startedAt: '2026-11-24T10:15:00.000Z',
  elapsedS: lbS * 1.1,
  socketsUsed: 16,
  ...(error ? { error } : {}),
});

const backend = (host: string): PlannedBackend => ({
  id: `${host}:30080`,
  target: { host, port: 30080, tls: false, path: '/health' },
  proxyProtocol: false,
});

const lb = (name: string, idleTimeoutS: number, hosts: string[], extra: Partial<LoadBalancerPlan> = {}): LoadBalancerPlan => ({
  name,
  type: 'classic',
  vpcId: 'vpc-1',
  idleTimeoutS,
  backends: hosts.map(backend),
  backendsNotSampled: 0,
  skipped: [],
  ...extra,
});

const planItem = (host: string, lbS: number, loadBalancers: string[]): ProbePlanItem => ({
  key: `${host}:30080|http|/health|plain`,
  job: { target: backend(host).target, loadBalancerIdleTimeoutS: lbS },
  loadBalancers,
});

describe('judgeLoadBalancers', () => {
  it('takes the smallest limit over the backends and names the failing ones', () => {
    // Prepare: one backend fine, one with a lazy-like 40 s pre-request limit
    const lbs = [lb('k8s-web', 60, ['10.0.1.7', '10.0.2.9'])];
    const plan = [planItem('10.0.1.7', 60, ['k8s-web']), planItem('10.0.2.9', 60, ['k8s-web'])];
    const results = [
      result('10.0.1.7', 60, phase(null, 66, 60, 'pass'), phase(75, 74.99, 60, 'pass')),
      result('10.0.2.9', 60, phase(40.2, 39.9, 60, 'fail'), phase(75, 74.99, 60, 'pass')),
    ];

    // Act
    const [verdict] = judgeLoadBalancers(lbs, plan, results);

    // Assess
    expect(verdict.verdict).toBe('fail');
    expect(verdict.phases.preRequest).toEqual({ limitS: 40.2, survivedS: null, verdict: 'fail', failingBackends: ['10.0.2.9:30080'] });
    expect(verdict.phases.keepAlive).toEqual({ limitS: 75, survivedS: null, verdict: 'pass', failingBackends: [] });
    expect([phaseHeadroomS(verdict.phases.preRequest!, 60), phaseHeadroomS(verdict.phases.keepAlive!, 60)]).toEqual([-19.8, 15]);
  });

  it('judges a shared backend against each load balancer own timeout and margin', () => {
    // Prepare: a 50 s limit, probed once against the longer 120 s timeout
    const lbs = [lb('short', 30, ['10.0.1.7']), lb('long', 120, ['10.0.1.7']), lb('tight', 49, ['10.0.1.7'], { marginS: 2 })];
    const plan = [planItem('10.0.1.7', 120, ['short', 'long', 'tight'])];
    const results = [result('10.0.1.7', 120, phase(50, 49.99, 120, 'fail'), phase(null, 132, 120, 'pass'))];

    // Act
    const verdicts = judgeLoadBalancers(lbs, plan, results);

    // Assess
    expect(verdicts.map((v) => [v.name, v.phases.preRequest?.verdict, phaseHeadroomS(v.phases.preRequest!, v.idleTimeoutS)])).toEqual([
      ['short', 'pass', 20],
      ['long', 'fail', -70],
      ['tight', 'fail', 1],
    ]);
  });

  it('uses the shortest survival as headroom when no backend has a limit', () => {
    // Prepare
    const lbs = [lb('web', 60, ['10.0.1.7', '10.0.2.9'])];
    const plan = [planItem('10.0.1.7', 60, ['web']), planItem('10.0.2.9', 60, ['web'])];
    const results = [
      result('10.0.1.7', 60, phase(null, 66, 60, 'pass'), phase(null, 66, 60, 'pass')),
      result('10.0.2.9', 60, phase(null, 65.9, 60, 'pass'), phase(null, 66, 60, 'pass')),
    ];

    // Act
    const [verdict] = judgeLoadBalancers(lbs, plan, results);

    // Assess
    expect(verdict.phases.preRequest).toEqual({ limitS: null, survivedS: 65.9, verdict: 'pass', failingBackends: [] });
    expect(phaseHeadroomS(verdict.phases.preRequest!, 60)).toBe(5.9);
    expect(verdict.verdict).toBe('pass');
  });

  it('is inconclusive, never pass, when no backend could be probed, and counts the probe errors', () => {
    // Prepare
    const lbs = [lb('web', 60, ['10.0.1.7'])];
    const refused = { code: 'refused' as const, message: '10.0.1.7:30080: connection refused (nothing listens on that port)' };
    const none = phase(null, null, 60, 'inconclusive');
    const results = [result('10.0.1.7', 60, none, none, refused)];

    // Act
    const [verdict] = judgeLoadBalancers(lbs, [planItem('10.0.1.7', 60, ['web'])], results);

    // Assess
    expect(verdict).toMatchObject({ verdict: 'inconclusive', probeErrors: 1 });
    expect(verdict.backends[0]).toMatchObject({ id: '10.0.1.7:30080', verdict: 'inconclusive' });
  });

  it.each([
    {
      when: 'keeps a failing backend a failure when another backend of the same load balancer could not be probed',
      unprobed: { code: 'connect-timeout' as const, message: '10.0.1.7:30080: no connection within 5000 ms' },
      keepAlive: phase(5, 4.99, 60, 'fail'),
      verdict: 'fail',
      failingBackends: ['10.0.2.9:30080'],
      metrics: { BackendsFailing: 1, LoadBalancersFailing: 1 },
      exitCode: 1,
    },
    {
      when: 'is inconclusive, not pass, when no backend fails but one could not be probed, with the same metrics as before',
      unprobed: { code: 'refused' as const, message: '10.0.1.7:30080: connection refused (nothing listens on that port)' },
      keepAlive: phase(75, 74.99, 60, 'pass'),
      verdict: 'inconclusive',
      failingBackends: [],
      metrics: { BackendsFailing: 0, LoadBalancersFailing: 0 },
      exitCode: 3,
    },
  ])('$when', ({ unprobed, keepAlive, verdict: expected, failingBackends, metrics, exitCode }) => {
    // Prepare: one backend passes the pre-request phase, the other could not be probed
    const lbs = [lb('web', 60, ['10.0.1.7', '10.0.2.9'])];
    const plan = [planItem('10.0.1.7', 60, ['web']), planItem('10.0.2.9', 60, ['web'])];
    const none = phase(null, null, 60, 'inconclusive');
    const results = [result('10.0.1.7', 60, none, none, unprobed), result('10.0.2.9', 60, phase(null, 66, 60, 'pass'), keepAlive)];

    // Act
    const [verdict] = judgeLoadBalancers(lbs, plan, results);
    const datums = toDatums([verdict], new Date('2026-11-30T17:00:00Z'), { metrics: 'detailed' });
    const report = toScanReport({ region: 'eu-west-1', loadBalancers: lbs, notCovered: [], excluded: [], apiCalls: 4 }, [verdict], new Date(), new Date());

    // Assess: a failure stays a failure, else the load balancer is in doubt; its phases still say what the probed backend showed
    expect(verdict).toMatchObject({ verdict: expected, probeErrors: 1 });
    expect(verdict.phases.keepAlive?.failingBackends).toEqual(failingBackends);
    expect(verdict.phases.preRequest).toMatchObject({ verdict: 'pass', survivedS: 66 });
    expect(phaseHeadroomS(verdict.phases.preRequest!, verdict.idleTimeoutS)).toBe(6);
    expect(Object.fromEntries(datums.map((d) => [d.MetricName, d.Value]))).toMatchObject({
      BackendsProbed: 1,
      ProbeErrors: 1,
      PreRequestHeadroom: 6,
      ...metrics,
    });
    expect(scanExitCode(report)).toBe(exitCode);
  });

  it('fails a CloudFront origin on a Network Load Balancer whose TCP idle timeout is below the keep-alive, though its targets pass', () => {
    // Prepare: keep-alive 120 s; the target tolerates 200 s; the NLB resets idle flows after 60 s
    const networkLoadBalancer = { name: 'tcp', arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/tcp/60dc', listenerPort: 80 };
    const cloudFront = (idleTimeoutS: number) => ({ distributionId: 'E1', originId: 'tcp', domainName: networkLoadBalancer.arn, keepAliveS: 120, kind: 'network-load-balancer' as const, networkLoadBalancer: { ...networkLoadBalancer, idleTimeoutS } });
    const lbs = [60, 350].map((nlbS) => lb(`cloudfront/E1/tcp-${nlbS}`, 120, ['10.0.1.7'], { type: 'cloudfront', cloudFront: cloudFront(nlbS) }));
    const plan = [planItem('10.0.1.7', 120, lbs.map((l) => l.name))];

    // Act
    const [short, long] = judgeLoadBalancers(lbs, plan, [result('10.0.1.7', 120, phase(null, 200, 120, 'pass'), phase(null, 200, 120, 'pass'))]);

    // Assess
    expect([short.verdict, short.phases.keepAlive!.verdict, short.chain!.links[0].verdict]).toEqual(['fail', 'pass', 'fail']);
    expect(short.chain!.summary).toContain('short at CloudFront → tcp (needs a TCP idle timeout of at least 121 s)');
    expect([long.verdict, long.chain!.summary]).toEqual(['pass', "CloudFront keep-alive 120 s → network load balancer tcp TCP idle timeout 350 s → targets' limit 200 s: no hop is short"]);
  });

  it('reports a load balancer whose discovery failed as inconclusive with its error', () => {
    // Prepare
    const lbs = [lb('locked', 60, [], { error: 'DescribeInstanceHealth: AccessDenied: not authorized' })];

    // Act
    const [verdict] = judgeLoadBalancers(lbs, [], []);

    // Assess
    expect(verdict).toMatchObject({ verdict: 'inconclusive', error: 'DescribeInstanceHealth: AccessDenied: not authorized', phases: {} });
  });

  it('passes a backend without keep-alive for the keep-alive phase', () => {
    // Prepare
    const noKeepAlive: PhaseResult = { ...phase(null, null, 60, 'pass'), reason: 'the server closes the connection after every response' };
    const results = [result('10.0.1.7', 60, phase(null, 66, 60, 'pass'), noKeepAlive)];

    // Act
    const [verdict] = judgeLoadBalancers([lb('web', 60, ['10.0.1.7'])], [planItem('10.0.1.7', 60, ['web'])], results);

    // Assess
    expect(verdict.phases.keepAlive).toMatchObject({ verdict: 'pass', limitS: null });
    expect(verdict.verdict).toBe('pass');
  });
});
