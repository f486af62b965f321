/**
 * `idle-canary scan --probe-security-group` against moto's AWS API emulator: backends whose
 * security groups admit only their load balancer's group are not probed but reported
 * `inconclusive` with the group, the port and the rule to add; once the rule is added (moto's
 * AuthorizeSecurityGroupIngress), the same backends are probed. One instance target (a Classic
 * ELB), one IP target (an ALB; its network interface's groups), both real servers on loopback.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand as CreateClassic, ElasticLoadBalancingClient, ModifyLoadBalancerAttributesCommand as ModifyClassic, RegisterInstancesWithLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing';
import * as v2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../../cli/main';
import type { ScanReport } from '../../../lambda/report/scan';
import { capture } from '../../support/capture';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';

/** A backend that keeps idle connections 20 s, on one loopback address. */
async function backendOn(host: string): Promise<Server> {
  const server = createServer((_request, response) => response.end('ok'));
  server.keepAliveTimeout = 20_000;
  server.headersTimeout = 20_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe('idle-canary scan --probe-security-group against the moto emulator', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let servers: Server[];
  let vpcId: string;
  let groups: { alb: string; instanceBackend: string; ipBackend: string; probe: string };
  let ec2: EC2Client;

  const scan = async () => {
    const { io, out, err } = capture();
    const status = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--probe-security-group', groups.probe, '--json'], io);
    return { status, report: JSON.parse(out()) as ScanReport, stderr: err() };
  };

  beforeAll(async () => {
    // Prepare: the emulator, and only its settings for the SDK
    moto = await startMoto();
    useMotoOnly(moto);
    ec2 = new EC2Client({});
    const elb = new ElasticLoadBalancingClient({});
    const elbv2 = new v2.ElasticLoadBalancingV2Client({});
    servers = await Promise.all([backendOn('127.0.0.1'), backendOn('127.0.0.2')]);
    const [instancePort, ipPort] = servers.map(portOf);

    // A loopback VPC; each backend's group admits only the load balancers' group, on its port
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '127.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = async (cidr: string, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
    const subnets = [await subnet('127.0.0.0/24', 'eu-west-1a'), await subnet('127.0.1.0/24', 'eu-west-1b')];
    const group = async (name: string) => (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }))).GroupId!;
    groups = { alb: await group('alb'), instanceBackend: await group('web-instances'), ipBackend: await group('web-tasks'), probe: await group('idle-canary-probe') };
    const admit = (groupId: string, port: number, source: string) =>
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: source }] }] }));
    await admit(groups.instanceBackend, instancePort, groups.alb);
    await admit(groups.ipBackend, ipPort, groups.alb);

    // An instance target (127.0.0.1) behind a Classic ELB, an IP target (a network interface at 127.0.0.2) behind an ALB; 1 s idle timeouts
    const [instance] = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnets[0], PrivateIpAddress: '127.0.0.1', SecurityGroupIds: [groups.instanceBackend] }))).Instances!;
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnets[0], PrivateIpAddress: '127.0.0.2', Groups: [groups.ipBackend] }));
    await elb.send(new CreateClassic({ LoadBalancerName: 'web-classic', Subnets: [subnets[0]], Listeners: [{ Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: instancePort }] }));
    await elb.send(new ModifyClassic({ LoadBalancerName: 'web-classic', LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 1 } } }));
    await elb.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: 'web-classic', Instances: [{ InstanceId: instance.InstanceId }] }));
    const alb = (await elbv2.send(new v2.CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: subnets, Type: 'application', SecurityGroups: [groups.alb] }))).LoadBalancers![0];
    await elbv2.send(new v2.ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.LoadBalancerArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '1' }] }));
    const targetGroup = (await elbv2.send(new v2.CreateTargetGroupCommand({ Name: 'web-tasks', Protocol: 'HTTP', Port: ipPort, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/' }))).TargetGroups![0];
    await elbv2.send(new v2.RegisterTargetsCommand({ TargetGroupArn: targetGroup.TargetGroupArn, Targets: [{ Id: '127.0.0.2', Port: ipPort }] }));
    await elbv2.send(new v2.CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroup.TargetGroupArn }] }));
    [elb, elbv2].forEach((client) => client.destroy());
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    ec2?.destroy();
    await Promise.all((servers ?? []).map((server) => new Promise((resolve) => server.close(resolve))));
    await moto?.stop();
  });

  it('reports each backend whose group admits only the load balancer inconclusive, naming the group, the port and the rule to add, without probing it', async () => {
    // Act
    const { status, report } = await scan();

    // Assess
    expect(status).toBe(3);
    const cases = [
      { lb: 'web-classic', group: groups.instanceBackend, port: portOf(servers[0]) },
      { lb: 'web-alb', group: groups.ipBackend, port: portOf(servers[1]) },
    ];
    for (const { lb, group, port } of cases) {
      const verdict = report.loadBalancers.find((l) => l.name === lb)!;
      const [backend] = verdict.backends;
      console.log(`${lb}: ${backend.probe.error?.message}`);
      expect(verdict).toMatchObject({ verdict: 'inconclusive', probeErrors: 1 });
      expect(backend.reachability).toMatchObject({ status: 'blocked', securityGroups: [group] });
      expect(backend.probe).toMatchObject({ verdict: 'inconclusive', socketsUsed: 0, error: { code: 'blocked' } });
      const rule = `aws ec2 authorize-security-group-ingress --group-id ${group} --protocol tcp --port ${port} --source-group ${groups.probe}`;
      expect(backend.reachability!.fix).toEqual({
        cli: rule,
        cdk: `ec2.SecurityGroup.fromSecurityGroupId(this, 'BackendSg', '${group}').addIngressRule(ec2.Peer.securityGroupId('${groups.probe}'), ec2.Port.tcp(${port}), 'idle-canary probe');`,
      });
      expect(backend.probe.error!.message).toContain(`admits only ${groups.alb} on tcp ${port}`);
      expect(backend.probe.error!.message).toContain(rule);
      expect(backend.probe.phases.keepAlive!.reason).toBe(backend.probe.error!.message);
    }
  }, 60_000);

  it('prints the rule to add for each backend the probe cannot reach in the terminal report', async () => {
    // Act
    const { io, out } = capture();
    const status = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--probe-security-group', groups.probe], io);

    // Assess: the report's lines, as wrapped, hold each command
    const text = out().replace(/\n\s+/g, ' ');
    expect(status).toBe(3);
    for (const group of [groups.instanceBackend, groups.ipBackend]) expect(text).toContain(`aws ec2 authorize-security-group-ingress --group-id ${group} --protocol tcp`);
  });

  it('probes the same backends once the rule that admits the probe is added', async () => {
    // Prepare: the rule the previous report named, for each backend
    const { report: before } = await scan();
    for (const lb of before.loadBalancers) {
      const { fix } = lb.backends[0].reachability!;
      const [, groupId, port, source] = /--group-id (\S+) --protocol tcp --port (\d+) --source-group (\S+)/.exec(fix!.cli)!;
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: Number(port), ToPort: Number(port), UserIdGroupPairs: [{ GroupId: source }] }] }));
    }

    // Act
    const { status, report } = await scan();

    // Assess
    expect(status).toBe(0);
    for (const lb of report.loadBalancers) {
      expect(lb).toMatchObject({ verdict: 'pass', probeErrors: 0 });
      expect(lb.backends[0].reachability).toMatchObject({ status: 'admitted' });
      expect(lb.backends[0].reachability!.reason).toContain(`admits the probe's group ${groups.probe}`);
      expect(lb.backends[0].probe.socketsUsed).toBeGreaterThan(0);
      expect(lb.backends[0].probe.error).toBeUndefined();
    }
  }, 60_000);

  it('says on stderr that reachability is not diagnosed when it is not told the probe security group', async () => {
    // Act
    const { io, err } = capture();
    const status = await main(['scan', '--region', 'eu-west-1', '--vpc', vpcId, '--json'], io);

    // Assess: said once something is selected (an empty selection's one line stays alone)
    expect(status).toBe(0);
    expect(err()).toContain('reachability not diagnosed: pass --probe-security-group sg-...');
  }, 60_000);
});
