import type { BackendVerdict, LoadBalancerVerdict } from '../../../lambda/judge';
import { batchDatums, toDatums, type Datum } from '../../../lambda/metrics/datums';
import type { ProbeResult } from '../../../lambda/probe';

const at = new Date('2026-11-24T10:15:00Z');

const backend = (id: string, verdict: BackendVerdict['verdict'], error?: ProbeResult['error']): BackendVerdict => ({
  id,
  probe: { target: { host: id, port: 30080, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 60, horizonS: 66, phases: {}, verdict, startedAt: '2026-11-24T10:15:00.000Z', elapsedS: 66, socketsUsed: 16, ...(error ? { error } : {}) },
  phases: {},
  verdict,
});

const lb = (name: string, extra: Partial<LoadBalancerVerdict>): LoadBalancerVerdict => ({
  name,
  type: 'classic',
  vpcId: 'vpc-1',
  idleTimeoutS: 60,
  marginS: 1,
  phases: {},
  verdict: 'pass',
  backends: [],
  probeErrors: 0,
  backendsNotSampled: 0,
  skipped: [],
  ...extra,
});

describe('toDatums', () => {
  it('gives a Classic ELB and an ALB of one name two series, each under the identity AWS gives it', () => {
    // Prepare
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
    const classic = lb('web', { verdict: 'fail', backends: [backend('10.0.2.9:30080', 'fail')] });
    const alb = lb('web', { type: 'application', arn, backends: [backend('10.0.2.10:8080', 'pass')] });

    // Act
    const failingBy = Object.fromEntries(toDatums([classic, alb], at).filter((d) => d.MetricName === 'BackendsFailing').map((d) => [d.Dimensions![0].Value, d.Value]));

    // Assess: AWS/ELB's LoadBalancerName and AWS/ApplicationELB's LoadBalancer values
    expect(failingBy).toEqual({ web: 1, 'app/web/50dc6c495c0c9188': 0 });
  });

  it('sends the RunCompleted heartbeat only when the run is the deployed one', () => {
    // Act
    const names = (heartbeat?: boolean) => toDatums([lb('web', {})], at, heartbeat === undefined ? {} : { heartbeat }).filter((d) => d.Dimensions === undefined).map((d) => d.MetricName);

    // Assess
    expect([names(), names(true), names(false)]).toEqual([['LoadBalancersFailing', 'RunCompleted'], ['LoadBalancersFailing', 'RunCompleted'], ['LoadBalancersFailing']]);
  });

  it('publishes the contract metrics per load balancer and the fleet metrics without dimension', () => {
    // Prepare: a Classic ELB with a lazy 40 s backend and one backend that refused
    const failing = lb('k8s-web', {
      verdict: 'fail',
      phases: {
        preRequest: { limitS: 40.2, survivedS: null, verdict: 'fail', failingBackends: ['10.0.2.9:30080'] },
        keepAlive: { limitS: null, survivedS: 66, verdict: 'pass', failingBackends: [] },
      },
      backends: [backend('10.0.2.9:30080', 'fail'), backend('10.0.1.7:30080', 'inconclusive', { code: 'refused', message: 'refused' })],
      probeErrors: 1,
    });

    // Act
    const datums = toDatums([failing], at);

    // Assess
    const dimensions = [{ Name: 'LoadBalancer', Value: 'k8s-web' }];
    const expected = (MetricName: string, Unit: Datum['Unit'], Value: number) => ({ MetricName, Unit, Value, Timestamp: at, Dimensions: dimensions });
    expect(datums).toEqual([
      expected('LoadBalancerIdleTimeout', 'Seconds', 60),
      expected('BackendPreRequestTimeout', 'Seconds', 40.2),
      expected('PreRequestHeadroom', 'Seconds', -19.8),
      expected('BackendKeepAliveTimeout', 'Seconds', 66),
      expected('KeepAliveHeadroom', 'Seconds', 6),
      expected('BackendsProbed', 'Count', 1),
      expected('BackendsFailing', 'Count', 1),
      expected('ProbeErrors', 'Count', 1),
      { MetricName: 'LoadBalancersFailing', Unit: 'Count', Value: 1, Timestamp: at },
      { MetricName: 'RunCompleted', Unit: 'Count', Value: 1, Timestamp: at },
    ]);
  });

  it('publishes no timeout or headroom for a phase with nothing measured, and counts a discovery error', () => {
    // Prepare
    const broken = lb('locked', { verdict: 'inconclusive', error: 'DescribeInstanceHealth: AccessDenied', phases: { preRequest: { limitS: null, survivedS: null, verdict: 'inconclusive', failingBackends: [] } } });

    // Act
    const names = toDatums([broken], at).map((d) => `${d.MetricName}=${d.Value}`);

    // Assess
    expect(names).toEqual(['LoadBalancerIdleTimeout=60', 'BackendsProbed=0', 'BackendsFailing=0', 'ProbeErrors=1', 'LoadBalancersFailing=0', 'RunCompleted=1']);
  });

  it('never uses a dimension other than the load balancer name', () => {
    // Prepare
    const many = Array.from({ length: 50 }, (_, i) => lb(`lb-${i}`, { backends: [backend(`10.0.0.${i}:80`, 'pass')] }));

    // Act
    const dimensionNames = new Set(toDatums(many, at).flatMap((d) => (d.Dimensions ?? []).map((x) => x.Name)));

    // Assess
    expect([...dimensionNames]).toEqual(['LoadBalancer']);
  });
});

describe('batchDatums', () => {
  it('splits into calls of at most 1,000 datums', () => {
    // Prepare
    const datums = toDatums(Array.from({ length: 300 }, (_, i) => lb(`lb-${i}`, {})), at);

    // Act
    const batches = batchDatums(datums);

    // Assess: 300 x 4 + 2 = 1202 datums
    expect(batches.map((b) => b.length)).toEqual([1000, 202]);
    expect(batches.flat()).toEqual(datums);
  });

  it('splits before a call would exceed the size limit', () => {
    // Prepare
    const datums = toDatums([lb('a', {}), lb('b', {})], at);
    const size = 2 * JSON.stringify(datums[0]).length;

    // Act
    const batches = batchDatums(datums, { maxDatums: 1000, maxBytes: size * 3 });

    // Assess
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.flat()).toHaveLength(datums.length);
  });
});
