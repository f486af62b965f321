/**
 * The selection settings end to end: `loadBalancerNames` and `tags` in the configuration, the
 * discover function's environment as the synthesized template writes it, and a discover run
 * with that environment against moto's AWS API emulator, whose load balancers differ in name
 * and tags. What the run plans to probe is what the settings select.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { discoverStep } from '../../lambda/handlers/discover';
import { readDiscovery } from '../../lambda/run/store';
import type { InlineRun } from '../../lambda/run/types';
import { startMoto, useMotoOnly, type RunningMoto } from '../support/moto';
import { STACK, logicalIdOf, synth } from './synth';

const REPORTS = 'idle-canary-reports';

/** Three load balancers: the selection below keeps `shop-web` only (`shop-api` lacks the tag, `blog` the name). */
const LOAD_BALANCERS = [
  { name: 'shop-web', tags: { team: 'payments' } },
  { name: 'shop-api', tags: { team: 'search' } },
  { name: 'blog', tags: { team: 'payments' } },
];

describe('the selection settings, from cdk.json to what a run probes (moto)', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let vpc: { vpcId: string; subnetIds: string[] };
  let clients: { s3: S3Client; sfn: SFNClient };
  /** Each load balancer's and target group's ARN, by load balancer name. */
  const arns: Record<string, { alb: string; group: string }> = {};

  beforeAll(async () => {
    moto = await startMoto();
    useMotoOnly(moto);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const ec2 = new EC2Client({});
    const elbv2 = new ElasticLoadBalancingV2Client({});
    clients = { s3: new S3Client({ forcePathStyle: true }), sfn: new SFNClient({}) };
    await clients.s3.send(new CreateBucketCommand({ Bucket: REPORTS, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));

    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const subnet = async (cidr: string, zone: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }))).Subnet!.SubnetId!;
    const subnetIds = [await subnet('10.20.0.0/24', 'eu-west-1a'), await subnet('10.20.1.0/24', 'eu-west-1b')];
    vpc = { vpcId, subnetIds };
    for (const [i, { name, tags }] of LOAD_BALANCERS.entries()) {
      const [instance] = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: subnetIds[0], PrivateIpAddress: `10.20.0.${10 + i}` }))).Instances!;
      const alb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds, Type: 'application' }))).LoadBalancers![0];
      await elbv2.send(new AddTagsCommand({ ResourceArns: [alb.LoadBalancerArn!], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
      const group = (await elbv2.send(new CreateTargetGroupCommand({ Name: `${name}-tg`, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'instance', HealthCheckPath: '/' }))).TargetGroups![0];
      await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: [{ Id: instance.InstanceId! }] }));
      await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }] }));
      arns[name] = { alb: alb.LoadBalancerArn!, group: group.TargetGroupArn! };
    }
    [ec2, elbv2].forEach((client) => client.destroy());
  }, 120_000);

  afterAll(async () => {
    Object.values(clients ?? {}).forEach((client) => client.destroy());
    process.env = saved;
    await moto?.stop();
  });

  /**
   * Synthesizes the stack for the emulator's VPC with the settings, and runs discover with the
   * environment the template gives its function (the bucket, a reference, set to the emulator's).
   */
  async function runWith(settings: Record<string, unknown>, input?: Record<string, unknown>) {
    const { template, stack } = synth({ ...STACK, vpcs: [{ ...vpc, cidr: '10.20.0.0/16', backendPorts: [8080] }], ...settings });
    const variables = template.toJSON().Resources[logicalIdOf(stack.canary.discoverFunction)].Properties.Environment.Variables as Record<string, unknown>;
    const env = { ...Object.fromEntries(Object.entries(variables).filter(([, value]) => typeof value === 'string')), IDLE_CANARY_BUCKET: REPORTS, AWS_REGION: 'eu-west-1' } as Record<string, string>;
    const run = (await discoverStep({ runId: `run-${Object.keys(settings).join('-') || 'all'}`, ...(input ? { input } : {}) }, env, clients)) as InlineRun;
    const { discovery } = await readDiscovery(clients.s3, REPORTS, run.discoveryKey);
    return {
      env,
      run,
      discovery,
      probed: [...new Set(run.shards.flatMap((shard) => shard.items.flatMap((item) => item.loadBalancers)))].sort(),
      excluded: Object.fromEntries(discovery.excluded.map((lb) => [lb.name, lb.reason])),
    };
  }

  it('probes every load balancer in the VPC when no selection is set', async () => {
    // Act
    const { env, probed } = await runWith({});

    // Assess
    expect(env).not.toHaveProperty('IDLE_CANARY_LOAD_BALANCERS');
    expect(env).not.toHaveProperty('IDLE_CANARY_TAGS');
    expect(probed).toEqual(['blog', 'shop-api', 'shop-web']);
  }, 180_000); // the first synth of the file: on a fresh clone it waits for the package build (ensureBuilt), beside the other workers

  it('probes only the load balancers whose names and tags the settings select, and says why each other one is left out', async () => {
    // Act
    const { env, probed, excluded } = await runWith({ loadBalancerNames: ['shop-*'], tags: ['team=payments'] });

    // Assess
    expect(env).toMatchObject({ IDLE_CANARY_LOAD_BALANCERS: 'shop-*', IDLE_CANARY_TAGS: 'team=payments' });
    expect(probed).toEqual(['shop-web']);
    expect(excluded).toEqual({ 'shop-api': 'does not carry the selected tag team=payments', blog: 'not among the selected names (shop-*)' });
  }, 60_000);

  describe("a run request's selection, in the execution's input", () => {
    it('probes the load balancers it names, by name or ARN, in place of the configured names and tags', async () => {
      // Act: the stack selects team=search (shop-api); the request names shop-web by name and blog by ARN
      const { run, probed, excluded } = await runWith({ tags: ['team=search'] }, { source: 'operator', selection: { loadBalancers: ['shop-web', arns.blog.alb] } });

      // Assess
      expect(probed).toEqual(['blog', 'shop-web']);
      expect(excluded).toEqual({ 'shop-api': `not among the selected names (shop-web, ${arns.blog.alb})` });
      expect(run.selection).toBe(`load balancers shop-web, ${arns.blog.alb}`);
    }, 60_000);

    it('probes the targets of the target group it names, behind the load balancer that forwards to it', async () => {
      // Act
      const { run, probed, excluded } = await runWith({}, { selection: { targetGroup: arns['shop-api'].group } });

      // Assess
      expect(probed).toEqual(['shop-api']);
      expect(run.shards.flatMap((shard) => shard.items.map((item) => [shard.vpcId, item.job.target.host, item.job.loadBalancerIdleTimeoutS]))).toEqual([[vpc.vpcId, '10.20.0.11', 60]]);
      expect(excluded).toEqual({
        'shop-web': `does not forward to the selected target group (${arns['shop-api'].group})`,
        blog: `does not forward to the selected target group (${arns['shop-api'].group})`,
      });
    }, 60_000);

    it('probes the targets it lists, every one, against the idle timeout given, in its VPC or outside any, with no AWS call', async () => {
      // Prepare: three tasks of one service behind a 60 s load balancer, in the stack's VPC, and one public endpoint
      const green = [11, 12, 13].map((i) => ({ host: `10.20.1.${i}`, port: 8080, path: '/health', idleTimeoutS: 60, vpcId: vpc.vpcId, name: 'web-green' }));
      const selection = { targets: [...green, { host: 'origin.example.com', port: 443, tls: true, idleTimeoutS: 5 }] };

      // Act
      const { run, discovery } = await runWith({}, { selection });

      // Assess: one front per name, timeout and VPC; all three tasks probed (no sampling); the public one in a shard without a VPC
      expect(discovery.apiCalls).toBe(0);
      expect(discovery.loadBalancers.map((lb) => [lb.name, lb.type, lb.vpcId ?? 'outside any VPC', lb.idleTimeoutS, lb.backends.length])).toEqual([
        ['web-green', 'probe', vpc.vpcId, 60, 3],
        ['origin.example.com:443', 'probe', 'outside any VPC', 5, 1],
      ]);
      expect(run.shards.map((shard) => [shard.vpcId ?? 'outside any VPC', shard.items.map((item) => `${item.job.target.tls ? 'https' : 'http'}://${item.job.target.host}:${item.job.target.port}${item.job.target.path}`)])).toEqual([
        [vpc.vpcId, ['http://10.20.1.11:8080/health', 'http://10.20.1.12:8080/health', 'http://10.20.1.13:8080/health']],
        ['outside any VPC', ['https://origin.example.com:443/']],
      ]);
    }, 60_000);

    it.each([
      ['a target group that is no ARN', { targetGroup: 'web-tg' }, 'field "input.selection.targetGroup" must be a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID), got "web-tg"'],
      ['two kinds at once', { loadBalancers: ['web'], targetGroup: 'x' }, 'field "input.selection" must be an object with exactly one of loadBalancers, targetGroup, targets, got'],
      ['no load balancer', { loadBalancers: [] }, 'field "input.selection.loadBalancers" must be an array of 1 to 20 entries, got []'],
      ['101 targets', { targets: Array.from({ length: 101 }, () => ({ host: '10.0.0.1', port: 80, idleTimeoutS: 60 })) }, 'field "input.selection.targets" must be an array of 1 to 100 entries, got'],
      ['a path with CR LF', { targets: [{ host: '10.0.0.1', port: 80, idleTimeoutS: 60, path: '/\r\nX: y' }] }, 'field "input.selection.targets[0].path" must be a path starting with /'],
      ['a misspelt field', { targets: [{ host: '10.0.0.1', port: 80, idleTimeout: 60 }] }, 'field "input.selection.targets[0].idleTimeout" must be absent: accepted fields are host, port, tls, path, protocolVersion, idleTimeoutS, vpcId, name, got 60'],
      ['a protocol version the probe does not speak', { targets: [{ host: '10.0.0.1', port: 80, idleTimeoutS: 60, protocolVersion: 'h2' }] }, 'field "input.selection.targets[0].protocolVersion" must be one of HTTP1, HTTP2, GRPC, got "h2"'],
      ['a VPC the stack has no probe in', { targets: [{ host: '10.0.0.1', port: 80, idleTimeoutS: 60, vpcId: 'vpc-0123456789abcdef0' }] }, 'selection.targets[0].vpcId: vpc-0123456789abcdef0 is not a VPC this stack probes in'],
    ])('refuses %s with one line naming the bad value and what is accepted', async (_case, selection, message) => {
      // Act
      const run = runWith({}, { selection });

      // Assess
      await expect(run).rejects.toThrow(message);
      const error = await run.catch((e: Error) => e);
      expect((error as Error).message).not.toContain('\n');
    }, 60_000);
  });
});
