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
  async function runWith(settings: Record<string, unknown>) {
    const { template, stack } = synth({ ...STACK, vpcs: [{ ...vpc, cidr: '10.20.0.0/16', backendPorts: [8080] }], ...settings });
    const variables = template.toJSON().Resources[logicalIdOf(stack.canary.discoverFunction)].Properties.Environment.Variables as Record<string, unknown>;
    const env = { ...Object.fromEntries(Object.entries(variables).filter(([, value]) => typeof value === 'string')), IDLE_CANARY_BUCKET: REPORTS, AWS_REGION: 'eu-west-1' } as Record<string, string>;
    const run = (await discoverStep({ runId: `run-${Object.keys(settings).join('-') || 'all'}` }, env, clients)) as InlineRun;
    const { discovery } = await readDiscovery(clients.s3, REPORTS, run.discoveryKey);
    return {
      env,
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
  }, 60_000);

  it('probes only the load balancers whose names and tags the settings select, and says why each other one is left out', async () => {
    // Act
    const { env, probed, excluded } = await runWith({ loadBalancerNames: ['shop-*'], tags: ['team=payments'] });

    // Assess
    expect(env).toMatchObject({ IDLE_CANARY_LOAD_BALANCERS: 'shop-*', IDLE_CANARY_TAGS: 'team=payments' });
    expect(probed).toEqual(['shop-web']);
    expect(excluded).toEqual({ 'shop-api': 'does not carry the selected tag team=payments', blog: 'not among the selected names (shop-*)' });
  }, 60_000);
});
