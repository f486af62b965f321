/**
 * `idle-canary scan --publish` against moto's AWS API emulator, with real backends on
 * loopback: a VPC created with 127.0.0.0/16 gives its instance and its `ip` target loopback
 * addresses, so the load balancers the emulator describes lead to servers that really run.
 * The Classic ELB and the ALB have the same name, as AWS allows (separate APIs): each must keep
 * its own series and report row. The metrics are read back through the CloudWatch API (default
 * namespace) and compared with what the backends do.
 * moto's server cannot read gzip-compressed request bodies, so the SDK's request compression
 * (PutMetricData) is turned off for this emulator only (`AWS_DISABLE_REQUEST_COMPRESSION` in
 * `startMoto().env`); the command itself is unchanged.
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand as CreateClassic,
  ElasticLoadBalancingClient,
  ModifyLoadBalancerAttributesCommand as ModifyClassic,
  ConfigureHealthCheckCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { main } from '../../../cli/main';
import { DEFAULT_NAMESPACE, loadBalancerDimension } from '../../../lambda/metrics/names';
import type { ScanReport } from '../../../lambda/report/scan';
import { capture } from '../../support/capture';
import { keepAliveCloseS } from '../../support/keep-alive-close';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';
import { motoAlb, motoInstance, motoVpc } from '../../support/moto-alb';

/** The name both load balancers have. */
const NAME = 'loopback';

/** More than one page of `DescribeLoadBalancers` (discovery asks for 400) of each kind, outside the probed VPC. */
const ELSEWHERE = 401;

describe('idle-canary scan --publish against the moto emulator', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  const backends: RunningBackend[] = [];
  let vpcId: string;
  let report: ScanReport;
  let status: number;
  let stderr: string;
  let failingCloseS: number;

  beforeAll(async () => {
    // Prepare: the emulator, and only its settings for the SDK (no profile, no metadata service)
    moto = await startMoto();
    useMotoOnly(moto);
    const ec2 = new EC2Client({});
    const elb = new ElasticLoadBalancingClient({});
    const elbv2 = new ElasticLoadBalancingV2Client({});

    // Real backends: one keeps idle connections 20 s (passes a 3 s load balancer), one drops them after 1 s (fails it)
    const base = { description: 'emulator', keepAliveTimeoutMs: 20_000, headersTimeoutMs: 20_000 };
    const [passing, failing] = await Promise.all([startBackend({ ...base, name: 'passing' }), startBackend({ ...base, name: 'failing', keepAliveTimeoutMs: 1000 })]);
    backends.push(passing, failing);

    // A loopback VPC: its instance and its ip target are 127.0.0.1
    let subnets: string[];
    ({ vpcId, subnets } = await motoVpc(ec2, '127.0'));
    const instanceId = await motoInstance(ec2, subnets[0], '127.0.0.1');

    // A Classic ELB in front of the passing backend (instance target), 3 s idle timeout
    await elb.send(new CreateClassic({ LoadBalancerName: NAME, Subnets: [subnets[0]], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: passing.port }] }));
    await elb.send(new ConfigureHealthCheckCommand({ LoadBalancerName: NAME, HealthCheck: { Target: `HTTP:${passing.port}/`, Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 2 } }));
    await elb.send(new ModifyClassic({ LoadBalancerName: NAME, LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 3 } } }));
    await elb.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: NAME, Instances: [{ InstanceId: instanceId }] }));

    // An ALB in front of the failing backend (ip target), 3 s idle timeout
    await motoAlb(elbv2, { name: NAME, vpcId, subnets, idleTimeoutS: 3, groups: [{ name: 'loopback-tg', targetType: 'ip', protocol: 'HTTP', healthCheckPath: '/', port: failing.port, target: '127.0.0.1' }] });

    // More load balancers than one page of each kind, in another VPC: listed, paged through, left out
    const other = await motoVpc(ec2, '10.9');
    for (let i = 0; i < ELSEWHERE; i++) {
      await elb.send(new CreateClassic({ LoadBalancerName: `elsewhere-classic-${i}`, Subnets: [other.subnets[0]], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }] }));
      await motoAlb(elbv2, { name: `elsewhere-alb-${i}`, ...other, groups: [] });
    }
    [ec2, elb, elbv2].forEach((client) => client.destroy());

    // What the failing backend does (Node.js closes an idle keep-alive connection a little after keepAliveTimeout)
    failingCloseS = await keepAliveCloseS(failing.port);

    // Act
    const { io, out, err } = capture();
    status = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--publish', '--metrics', 'detailed', '--json'], io);
    report = JSON.parse(out()) as ScanReport;
    stderr = err();
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await Promise.all(backends.map((b) => b.stop()));
    await moto?.stop();
  });

  const lb = (type: 'classic' | 'application') => report.loadBalancers.find((l) => l.name === NAME && l.type === type)!;

  it('pages through every load balancer, probes the two in the VPC at their loopback addresses, and leaves the others out', () => {
    // Assess
    expect(report.loadBalancers.map((l) => [l.name, l.type, l.idleTimeoutS])).toEqual([
      [NAME, 'classic', 3],
      [NAME, 'application', 3],
    ]);
    expect(report.excluded).toHaveLength(2 * ELSEWHERE);
    expect(lb('classic').backends[0].probe.target).toEqual({ host: '127.0.0.1', port: backends[0].port, tls: false, path: '/' });
    expect(lb('application').backends[0].probe.target).toMatchObject({ host: '127.0.0.1', port: backends[1].port });
  });

  it('passes the backend that keeps idle connections longer than the idle timeout, and fails the one that drops them after 1 s', () => {
    // Assess
    expect(status).toBe(1);
    expect(lb('classic')).toMatchObject({ verdict: 'pass', probeErrors: 0 });
    expect(lb('application')).toMatchObject({ verdict: 'fail', phases: { keepAlive: { verdict: 'fail' } } });
    const keepAlive = lb('application').backends[0].probe.phases.keepAlive!;
    expect(keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin' });
    expect(keepAlive.limitS).toBeGreaterThanOrEqual(backends[1].spec.keepAliveTimeoutMs / 1000);
    expect(Math.abs(keepAlive.limitS! - failingCloseS)).toBeLessThan(0.25);
  });

  it('publishes metrics that read back through the CloudWatch API as the backends behave, one series per load balancer', async () => {
    // Prepare: each load balancer's series is under the identity AWS gives it (ALB: app/NAME/ID, from its ARN)
    const cloudWatch = new CloudWatchClient({});
    const albSeries = loadBalancerDimension(lb('application'));
    const classicSeries = loadBalancerDimension(lb('classic'));
    const query = (id: string, metricName: string, loadBalancer?: string): MetricDataQuery => ({
      Id: id,
      MetricStat: { Metric: { Namespace: DEFAULT_NAMESPACE, MetricName: metricName, Dimensions: loadBalancer ? [{ Name: 'LoadBalancer', Value: loadBalancer }] : [] }, Period: 60, Stat: 'Maximum' },
    });

    // Act
    const output = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 15 * 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          query('albFailing', 'BackendsFailing', albSeries),
          query('classicFailing', 'BackendsFailing', classicSeries),
          query('albKeepAlive', 'BackendKeepAliveTimeout', albSeries),
          query('albHeadroom', 'KeepAliveHeadroom', albSeries),
          query('classicIdle', 'LoadBalancerIdleTimeout', classicSeries),
          query('classicProbed', 'BackendsProbed', classicSeries),
          query('fleetFailing', 'LoadBalancersFailing'),
          query('runs', 'RunCompleted'),
        ],
      }),
    );
    const listed = await cloudWatch.send(new ListMetricsCommand({ Namespace: DEFAULT_NAMESPACE, MetricName: 'BackendsFailing' }));
    cloudWatch.destroy();
    const values = (id: string) => output.MetricDataResults!.find((r) => r.Id === id)!.Values!;
    const value = (id: string) => values(id)[0];

    // Assess: two series of one name, and what the emulator stored is what the backends did
    const series = listed.Metrics!.map((m) => m.Dimensions!.map((d) => `${d.Name}=${d.Value}`).join()).sort();
    console.log(`BackendsFailing series in ${DEFAULT_NAMESPACE}: ${series.join(' | ')}; failing: ${albSeries}=${value('albFailing')}, ${classicSeries}=${value('classicFailing')}`);
    expect(albSeries).toBe(`app/${NAME}/${lb('application').arn!.split('/').at(-1)}`);
    expect(series).toEqual([`LoadBalancer=${albSeries}`, `LoadBalancer=${NAME}`]);
    expect(report.metrics).toMatchObject({ namespace: DEFAULT_NAMESPACE, failed: [] });
    expect(stderr).not.toMatch(/error/i);
    expect([value('albFailing'), value('classicFailing'), value('fleetFailing')]).toEqual([1, 0, 1]);
    // A scan is not the deployed schedule: no heartbeat unless asked for
    console.log(`RunCompleted in ${DEFAULT_NAMESPACE} after scan --publish: ${JSON.stringify(values('runs'))}`);
    expect(values('runs')).toEqual([]);
    expect(value('classicIdle')).toBe(3);
    expect(value('classicProbed')).toBe(1);
    // The failing backend closes idle connections after about 2 s (1 s keepAliveTimeout plus Node's grace): the metric says so
    console.log(`keep-alive close: measured apart ${failingCloseS.toFixed(3)} s, metric read back ${value('albKeepAlive')} s`);
    expect(Math.abs(value('albKeepAlive') - failingCloseS)).toBeLessThan(0.25);
    expect(value('albKeepAlive')).toBeCloseTo(lb('application').backends[0].probe.phases.keepAlive!.limitS!, 3);
    expect(value('albHeadroom')).toBeCloseTo(value('albKeepAlive') - 3, 3);
  });

  it('stops with exit 2 and one line saying what it looked at when no load balancer matches', async () => {
    // Prepare
    const { io, out, err } = capture();

    // Act
    const code = await main(['scan', '--region', 'eu-west-1', '--load-balancer', 'no-such-name', '--publish'], io);

    // Assess
    console.log(`scan --load-balancer no-such-name: exit ${code}, stderr: ${err()}`);
    expect(code).toBe(2);
    expect(out()).toBe('');
    expect(err()).toBe(
      `idle-canary: no load balancer selected in eu-west-1 (Classic and Application Load Balancers): ${2 + 2 * ELSEWHERE} exist (${1 + ELSEWHERE} classic, ${1 + ELSEWHERE} application), all left out by --load-balancer no-such-name or an idle-canary:skip tag; 0 of other types (not covered)\n`,
    );
  });

  it('publishes the RunCompleted heartbeat when asked with --heartbeat', async () => {
    // Prepare
    const { io } = capture();
    const cloudWatch = new CloudWatchClient({});
    const runs = async () =>
      (
        await cloudWatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(Date.now() - 15 * 60_000),
            EndTime: new Date(Date.now() + 60_000),
            MetricDataQueries: [{ Id: 'runs', MetricStat: { Metric: { Namespace: DEFAULT_NAMESPACE, MetricName: 'RunCompleted' }, Period: 60, Stat: 'Sum' } }],
          }),
        )
      ).MetricDataResults![0].Values!;
    const before = await runs();

    // Act
    const code = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--publish', '--heartbeat', '--json'], io);
    const after = await runs();
    cloudWatch.destroy();

    // Assess
    console.log(`RunCompleted in ${DEFAULT_NAMESPACE}: before ${JSON.stringify(before)}, after scan --publish --heartbeat ${JSON.stringify(after)} (exit ${code})`);
    expect(code).toBe(1);
    expect(before).toEqual([]);
    expect(after).toEqual([1]);
  }, 30_000);
});
