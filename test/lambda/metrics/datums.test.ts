import { judgeLoadBalancers, type BackendVerdict, type LoadBalancerVerdict } from '../../../lambda/judge';
import { PUT_LIMITS, batchDatums, toDatums, type Datum } from '../../../lambda/metrics/datums';
import { METRIC_SETS, type MetricSet } from '../../../lambda/metrics/names';
import type { ProbeResult } from '../../../lambda/probe';

const at = new Date('2026-11-24T10:15:00Z');
const METRIC_SET_NAMES = Object.keys(METRIC_SETS) as MetricSet[];

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

/** A Classic ELB with a lazy 40 s backend and one backend that refused. */
const failing = lb('k8s-web', {
  verdict: 'fail',
  phases: {
    preRequest: { limitS: 40.2, survivedS: null, verdict: 'fail', failingBackends: ['10.0.2.9:30080'] },
    keepAlive: { limitS: null, survivedS: 66, verdict: 'pass', failingBackends: [] },
  },
  backends: [backend('10.0.2.9:30080', 'fail'), backend('10.0.1.7:30080', 'inconclusive', { code: 'refused', message: 'refused' })],
  probeErrors: 1,
});

describe('toDatums series and heartbeat', () => {
  it('gives a Classic ELB and an ALB of one name two series, each under the identity AWS gives it', () => {
    // Prepare
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
    const classic = lb('web', { verdict: 'fail', backends: [backend('10.0.2.9:30080', 'fail')] });
    const alb = lb('web', { type: 'application', arn, backends: [backend('10.0.2.10:8080', 'pass')] });

    // Act
    const failingBy = Object.fromEntries(toDatums([classic, alb], at, { metrics: 'detailed' }).filter((d) => d.MetricName === 'BackendsFailing').map((d) => [d.Dimensions![0].Value, d.Value]));

    // Assess: AWS/ELB's LoadBalancerName and AWS/ApplicationELB's LoadBalancer values
    expect(failingBy).toEqual({ web: 1, 'app/web/50dc6c495c0c9188': 0 });
  });

  it('sends the RunCompleted heartbeat only when the run is the deployed one', () => {
    // Act
    const names = (heartbeat?: boolean) => toDatums([lb('web', {})], at, heartbeat === undefined ? { metrics: 'detailed' } : { metrics: 'detailed', heartbeat }).filter((d) => d.Dimensions === undefined).map((d) => d.MetricName);

    // Assess
    expect([names(), names(true), names(false)]).toEqual([['LoadBalancersFailing', 'RunCompleted'], ['LoadBalancersFailing', 'RunCompleted'], ['LoadBalancersFailing']]);
  });

});

describe('toDatums', () => {
  it('publishes the detailed set\'s metrics per load balancer and its fleet metrics without dimension', () => {
    // Act: a Classic ELB with a lazy 40 s backend and one backend that refused
    const datums = toDatums([failing], at, { metrics: 'detailed' });

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
    const names = toDatums([broken], at, { metrics: 'detailed' }).map((d) => `${d.MetricName}=${d.Value}`);

    // Assess
    expect(names).toEqual(['LoadBalancerIdleTimeout=60', 'BackendsProbed=0', 'BackendsFailing=0', 'ProbeErrors=1', 'LoadBalancersFailing=0', 'RunCompleted=1']);
  });

  it('never uses a dimension other than the load balancer name', () => {
    // Prepare
    const many = Array.from({ length: 50 }, (_, i) => lb(`lb-${i}`, { backends: [backend(`10.0.0.${i}:80`, 'pass')] }));

    // Act
    const dimensionNames = new Set(METRIC_SET_NAMES.flatMap((set) => toDatums(many, at, { metrics: set })).flatMap((d) => (d.Dimensions ?? []).map((x) => x.Name)));

    // Assess
    expect([...dimensionNames]).toEqual(['LoadBalancer']);
  });
});

describe('toDatums in the lean set, the default', () => {
  const locked = lb('locked', { verdict: 'inconclusive', error: 'DescribeInstanceHealth: AccessDenied', phases: { preRequest: { limitS: null, survivedS: null, verdict: 'inconclusive', failingBackends: [] } } });

  it('publishes one metric per load balancer, its smaller headroom, and the fleet\'s failing, inconclusive, probe errors and heartbeat', () => {
    // Act
    const datums = toDatums([failing, locked, lb('api', { phases: { keepAlive: { limitS: null, survivedS: 66, verdict: 'pass', failingBackends: [] } } })], at);

    // Assess: nothing measured on the locked load balancer, so no headroom for it
    expect(datums).toEqual([
      { MetricName: 'Headroom', Unit: 'Seconds', Value: -19.8, Timestamp: at, Dimensions: [{ Name: 'LoadBalancer', Value: 'k8s-web' }] },
      { MetricName: 'Headroom', Unit: 'Seconds', Value: 6, Timestamp: at, Dimensions: [{ Name: 'LoadBalancer', Value: 'api' }] },
      { MetricName: 'LoadBalancersFailing', Unit: 'Count', Value: 1, Timestamp: at },
      { MetricName: 'LoadBalancersInconclusive', Unit: 'Count', Value: 1, Timestamp: at },
      { MetricName: 'FleetProbeErrors', Unit: 'Count', Value: 2, Timestamp: at },
      { MetricName: 'RunCompleted', Unit: 'Count', Value: 1, Timestamp: at },
    ]);
  });

  it('publishes only the metrics its set lists, in either set', () => {
    // Act & Assess
    for (const set of METRIC_SET_NAMES) {
      const names = new Set(toDatums([failing, locked], at, { metrics: set }).map((d) => d.MetricName));
      expect([...names].sort()).toEqual(METRIC_SETS[set].run.map((m) => m.name).sort());
    }
  });

  it('publishes as many datums per load balancer with 2 or 200 backends, in either set', () => {
    // Prepare
    const withBackends = (count: number) => lb('web', { ...failing, name: 'web', backends: Array.from({ length: count }, (_, i) => backend(`10.0.${Math.floor(i / 250)}.${i % 250}:80`, 'pass')) });

    // Act & Assess
    for (const set of METRIC_SET_NAMES) expect(toDatums([withBackends(200)], at, { metrics: set })).toHaveLength(toDatums([withBackends(2)], at, { metrics: set }).length);
  });

  it('puts 2,000 load balancers in three calls within PutMetricData\'s limits', () => {
    // Prepare
    const fleet = Array.from({ length: 2000 }, (_, i) => ({ ...failing, name: `k8s-${'x'.repeat(200)}-${i}` }));

    // Act
    const batches = batchDatums(toDatums(fleet, at));

    // Assess
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 4]);
    for (const batch of batches) expect(2 * JSON.stringify(batch).length).toBeLessThanOrEqual(PUT_LIMITS.maxBytes);
  });
});

describe('batchDatums', () => {
  it('splits into calls of at most 1,000 datums', () => {
    // Prepare
    const datums = toDatums(Array.from({ length: 300 }, (_, i) => lb(`lb-${i}`, {})), at, { metrics: 'detailed' });

    // Act
    const batches = batchDatums(datums);

    // Assess: 300 x 4 + 2 = 1202 datums
    expect(batches.map((b) => b.length)).toEqual([1000, 202]);
    expect(batches.flat()).toEqual(datums);
  });

  it('splits before a call would exceed the size limit', () => {
    // Prepare
    const datums = toDatums([lb('a', {}), lb('b', {})], at, { metrics: 'detailed' });
    const size = 2 * JSON.stringify(datums[0]).length;

    // Act
    const batches = batchDatums(datums, { maxDatums: 1000, maxBytes: size * 3 });

    // Assess
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.flat()).toHaveLength(datums.length);
  });
});

describe('a CloudFront origin on a load balancer', () => {
  it('publishes its headroom (the idle timeout minus the keep-alive) under cloudfront/DISTRIBUTION/ORIGIN, and counts it among the failing', () => {
    // Prepare: keep-alive 90 s in front of a 60 s ALB, judged from configuration
    const [origin] = judgeLoadBalancers(
      [
        {
          name: 'cloudfront/E123ABC/api-origin',
          type: 'cloudfront',
          vpcId: 'vpc-1',
          idleTimeoutS: 90,
          backends: [],
          backendsNotSampled: 0,
          skipped: [],
          cloudFront: { distributionId: 'E123ABC', originId: 'api-origin', domainName: 'api-1.eu-west-1.elb.amazonaws.com', keepAliveS: 90, kind: 'load-balancer', loadBalancer: { name: 'api', type: 'application', idleTimeoutS: 60 } },
        },
      ],
      [],
      [],
    );

    // Act
    const lean = toDatums([origin], at);
    const detailed = toDatums([origin], at, { metrics: 'detailed' });

    // Assess
    expect(lean).toEqual([
      { MetricName: 'Headroom', Unit: 'Seconds', Value: -30, Timestamp: at, Dimensions: [{ Name: 'LoadBalancer', Value: 'cloudfront/E123ABC/api-origin' }] },
      { MetricName: 'LoadBalancersFailing', Unit: 'Count', Value: 1, Timestamp: at },
      { MetricName: 'LoadBalancersInconclusive', Unit: 'Count', Value: 0, Timestamp: at },
      { MetricName: 'FleetProbeErrors', Unit: 'Count', Value: 0, Timestamp: at },
      { MetricName: 'RunCompleted', Unit: 'Count', Value: 1, Timestamp: at },
    ]);
    expect(detailed.filter((d) => d.Dimensions !== undefined).map((d) => [d.MetricName, d.Value])).toEqual([
      ['LoadBalancerIdleTimeout', 90],
      ['BackendKeepAliveTimeout', 60],
      ['KeepAliveHeadroom', -30],
      ['BackendsProbed', 0],
      ['BackendsFailing', 0],
      ['ProbeErrors', 0],
    ]);
  });
});
