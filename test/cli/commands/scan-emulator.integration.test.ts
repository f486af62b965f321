/**
 * `idle-canary scan --publish` against moto's AWS API emulator, with real backends on
 * loopback: a VPC created with 127.0.0.0/16 gives its instance and its `ip` target loopback
 * addresses, so the load balancers the emulator describes lead to servers that really run.
 * The metrics are read back through the CloudWatch API and compared with what the backends do.
 * moto's server cannot read gzip-compressed request bodies, so the SDK's request compression
 * (PutMetricData) is turned off for this emulator only (`AWS_DISABLE_REQUEST_COMPRESSION` in
 * `startMoto().env`); the command itself is unchanged.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand as CreateClassic,
  ElasticLoadBalancingClient,
  ModifyLoadBalancerAttributesCommand as ModifyClassic,
  ConfigureHealthCheckCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand as CreateV2,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand as ModifyV2,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { once } from 'node:events';
import { connect } from 'node:net';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { main } from '../../../cli/main';
import type { ScanReport } from '../../../lambda/report/scan';
import { capture } from '../../support/capture';
import { startMoto, type RunningMoto } from '../../support/moto';

const NAMESPACE = 'IdleCanary/Emulator';

/**
 * What a backend really does, measured apart from idle-canary: seconds from a response to
 * the server closing the idle keep-alive connection (at most 30 s).
 */
async function keepAliveCloseS(port: number): Promise<number> {
  const socket = connect(port, '127.0.0.1');
  socket.setTimeout(30_000, () => socket.destroy());
  let answeredAt = 0;
  socket.on('data', (chunk: Buffer) => {
    if (chunk.toString('latin1').includes('\r\n\r\nok')) answeredAt = performance.now();
  });
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await once(socket, 'close');
  return (performance.now() - answeredAt) / 1000;
}
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
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, moto.env, { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
    const ec2 = new EC2Client({});
    const elb = new ElasticLoadBalancingClient({});
    const elbv2 = new ElasticLoadBalancingV2Client({});

    // Real backends: one keeps idle connections 20 s (passes a 3 s load balancer), one drops them after 1 s (fails it)
    const base = { description: 'emulator', keepAliveTimeoutMs: 20_000, headersTimeoutMs: 20_000 };
    const [passing, failing] = await Promise.all([startBackend({ ...base, name: 'passing' }), startBackend({ ...base, name: 'failing', keepAliveTimeoutMs: 1000 })]);
    backends.push(passing, failing);

    // A loopback VPC: its instance and its ip target are 127.0.0.1
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '127.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = async (vpc: string, cidr: string, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
    const subnets = [await subnet(vpcId, '127.0.0.0/24', 'eu-west-1a'), await subnet(vpcId, '127.0.1.0/24', 'eu-west-1b')];
    const [instance] = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnets[0], PrivateIpAddress: '127.0.0.1' }))).Instances!;

    // A Classic ELB in front of the passing backend (instance target), 3 s idle timeout
    await elb.send(new CreateClassic({ LoadBalancerName: 'loopback-classic', Subnets: [subnets[0]], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: passing.port }] }));
    await elb.send(new ConfigureHealthCheckCommand({ LoadBalancerName: 'loopback-classic', HealthCheck: { Target: `HTTP:${passing.port}/`, Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 2 } }));
    await elb.send(new ModifyClassic({ LoadBalancerName: 'loopback-classic', LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 3 } } }));
    await elb.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: 'loopback-classic', Instances: [{ InstanceId: instance.InstanceId }] }));

    // An ALB in front of the failing backend (ip target), 3 s idle timeout
    const alb = (await elbv2.send(new CreateV2({ Name: 'loopback-alb', Subnets: subnets, Type: 'application' }))).LoadBalancers![0];
    await elbv2.send(new ModifyV2({ LoadBalancerArn: alb.LoadBalancerArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '3' }] }));
    const group = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'loopback-tg', Protocol: 'HTTP', Port: failing.port, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/' }))).TargetGroups![0];
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: failing.port }] }));
    await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }] }));

    // More load balancers than one page of each kind, in another VPC: listed, paged through, left out
    const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!;
    const otherSubnets = [await subnet(other, '10.9.0.0/24', 'eu-west-1a'), await subnet(other, '10.9.1.0/24', 'eu-west-1b')];
    for (let i = 0; i < ELSEWHERE; i++) {
      await elb.send(new CreateClassic({ LoadBalancerName: `elsewhere-classic-${i}`, Subnets: [otherSubnets[0]], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }] }));
      await elbv2.send(new CreateV2({ Name: `elsewhere-alb-${i}`, Subnets: otherSubnets, Type: 'application' }));
    }
    [ec2, elb, elbv2].forEach((client) => client.destroy());

    // What the failing backend does (Node.js closes an idle keep-alive connection a little after keepAliveTimeout)
    failingCloseS = await keepAliveCloseS(failing.port);

    // Act
    const { io, out, err } = capture();
    status = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--publish', '--metrics', 'detailed', '--namespace', NAMESPACE, '--json'], io);
    report = JSON.parse(out()) as ScanReport;
    stderr = err();
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await Promise.all(backends.map((b) => b.stop()));
    await moto?.stop();
  });

  const lb = (name: string) => report.loadBalancers.find((l) => l.name === name)!;

  it('pages through every load balancer, probes the two in the VPC at their loopback addresses, and leaves the others out', () => {
    // Assess
    expect(report.loadBalancers.map((l) => [l.name, l.type, l.idleTimeoutS])).toEqual([
      ['loopback-classic', 'classic', 3],
      ['loopback-alb', 'application', 3],
    ]);
    expect(report.excluded).toHaveLength(2 * ELSEWHERE);
    expect(lb('loopback-classic').backends[0].probe.target).toEqual({ host: '127.0.0.1', port: backends[0].port, tls: false, path: '/' });
    expect(lb('loopback-alb').backends[0].probe.target).toMatchObject({ host: '127.0.0.1', port: backends[1].port });
  });

  it('passes the backend that keeps idle connections longer than the idle timeout, and fails the one that drops them after 1 s', () => {
    // Assess
    expect(status).toBe(1);
    expect(lb('loopback-classic')).toMatchObject({ verdict: 'pass', probeErrors: 0 });
    expect(lb('loopback-alb')).toMatchObject({ verdict: 'fail', phases: { keepAlive: { verdict: 'fail' } } });
    const keepAlive = lb('loopback-alb').backends[0].probe.phases.keepAlive!;
    expect(keepAlive).toMatchObject({ enforcement: 'eager', closedWith: 'fin' });
    expect(keepAlive.limitS).toBeGreaterThanOrEqual(backends[1].spec.keepAliveTimeoutMs / 1000);
    expect(Math.abs(keepAlive.limitS! - failingCloseS)).toBeLessThan(0.25);
  });

  it('publishes metrics that read back through the CloudWatch API as the backends behave', async () => {
    // Prepare
    const cloudWatch = new CloudWatchClient({});
    const query = (id: string, metricName: string, loadBalancer?: string): MetricDataQuery => ({
      Id: id,
      MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: loadBalancer ? [{ Name: 'LoadBalancer', Value: loadBalancer }] : [] }, Period: 60, Stat: 'Maximum' },
    });

    // Act
    const output = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 15 * 60_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          query('albFailing', 'BackendsFailing', 'loopback-alb'),
          query('classicFailing', 'BackendsFailing', 'loopback-classic'),
          query('albKeepAlive', 'BackendKeepAliveTimeout', 'loopback-alb'),
          query('albHeadroom', 'KeepAliveHeadroom', 'loopback-alb'),
          query('classicIdle', 'LoadBalancerIdleTimeout', 'loopback-classic'),
          query('classicProbed', 'BackendsProbed', 'loopback-classic'),
          query('fleetFailing', 'LoadBalancersFailing'),
          query('runs', 'RunCompleted'),
        ],
      }),
    );
    cloudWatch.destroy();
    const value = (id: string) => output.MetricDataResults!.find((r) => r.Id === id)!.Values![0];

    // Assess: what the emulator stored is what the backends did
    expect(report.metrics).toMatchObject({ namespace: NAMESPACE, failed: [] });
    expect(stderr).not.toMatch(/error/i);
    expect([value('albFailing'), value('classicFailing'), value('fleetFailing'), value('runs')]).toEqual([1, 0, 1, 1]);
    expect(value('classicIdle')).toBe(3);
    expect(value('classicProbed')).toBe(1);
    // The failing backend closes idle connections after about 2 s (1 s keepAliveTimeout plus Node's grace): the metric says so
    console.log(`keep-alive close: measured apart ${failingCloseS.toFixed(3)} s, metric read back ${value('albKeepAlive')} s`);
    expect(Math.abs(value('albKeepAlive') - failingCloseS)).toBeLessThan(0.25);
    expect(value('albKeepAlive')).toBeCloseTo(lb('loopback-alb').backends[0].probe.phases.keepAlive!.limitS!, 3);
    expect(value('albHeadroom')).toBeCloseTo(value('albKeepAlive') - 3, 3);
  });
});
