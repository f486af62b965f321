import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DescribeServiceRevisionsCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancerAttributesCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, type TargetHealthStateEnum } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { planGate } from '../../../lambda/gate/plan';
import type { EcsSubject } from '../../../lambda/gate/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';

const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0123456789abcdef';
const SUBJECT: EcsSubject = {
  system: 'ecs',
  serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web',
  targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/shop/web/1',
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
};
const GROUP = { TargetGroupArn: GREEN, TargetGroupName: 'web-green', LoadBalancerArns: [ALB], TargetType: 'ip', Protocol: 'HTTP', Port: 8080, HealthCheckPath: '/health', VpcId: 'vpc-0a1b' };

describe('planGate', () => {
  const ecs = mockClient(ECSClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  const clients = { ecs: new ECSClient({ region: 'eu-west-1' }), elb: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }), codeDeploy: new CodeDeployClient({ region: 'eu-west-1' }) };
  const options = { runId: 'ecs-run', startedAt: new Date('2026-12-04T08:00:00Z'), probeTimeoutS: 900 };

  /** The account: the revision's alternate group holds `targets`, behind one ALB of `idleTimeoutS`, tagged `tags`. */
  function account(targets: Array<{ ip: string; state: string }>, idleTimeoutS = '60', tags: Array<{ Key: string; Value: string }> = [], group: Record<string, unknown> = GROUP) {
    ecs.reset();
    elb.reset();
    ecs.on(DescribeServiceRevisionsCommand).resolves({ serviceRevisions: [{ loadBalancers: [{ targetGroupArn: GREEN.replace('green', 'blue'), advancedConfiguration: { alternateTargetGroupArn: GREEN } }] }] });
    elb.on(DescribeTargetGroupsCommand, { TargetGroupArns: [GREEN] }).resolves({ TargetGroups: [group] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: targets.map((t) => ({ Target: { Id: t.ip, Port: 8080 }, TargetHealth: { State: t.state as TargetHealthStateEnum } })) });
    elb.on(DescribeTagsCommand).resolves({ TagDescriptions: [{ ResourceArn: ALB, Tags: tags }] });
    elb.on(DescribeLoadBalancerAttributesCommand).resolves({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: idleTimeoutS }] });
  }

  afterAll(() => {
    ecs.restore();
    elb.restore();
  });

  it('probes the tasks of the alternate target group with the probe function, judged against the ALB timeout and its margin and path tags; draining tasks are left out', async () => {
    // Prepare
    account([{ ip: '10.0.3.17', state: 'healthy' }, { ip: '10.0.3.18', state: 'initial' }, { ip: '10.0.3.9', state: 'draining' }], '60', [{ Key: 'idle-canary:margin', Value: '3' }, { Key: 'idle-canary:path', Value: '/ping' }]);

    // Act
    const run = await planGate(SUBJECT, clients, options);

    // Assess
    expect(run).toMatchObject({ runId: 'ecs-run', mode: 'lambda', subject: SUBJECT, loadBalancers: [{ name: 'shop', arn: ALB, idleTimeoutS: 60, marginS: 3, skipped: [{ what: 'target 10.0.3.9:8080', reason: 'is draining' }] }] });
    expect(run.shard).toEqual({
      runId: 'ecs-run',
      shardId: 0,
      vpcId: 'vpc-0a1b',
      items: ['10.0.3.17', '10.0.3.18'].map((host) => ({ key: `${host}:8080|http|/ping|plain`, job: { target: { host, port: 8080, tls: false, path: '/ping' }, loadBalancerIdleTimeoutS: 60 }, loadBalancers: ['shop'] })),
    });
  });

  it('hands a timeout longer than a Lambda invocation holds to the long probe, its plan written where the task reads it', async () => {
    // Prepare
    account([{ ip: '10.0.3.17', state: 'healthy' }], '3600');
    const bucket = inMemoryBucket();

    // Act
    const run = await planGate(SUBJECT, clients, { ...options, long: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'reports', prefix: 'idle-canary/' } });
    bucket.s3.restore();

    // Assess
    expect(run).toMatchObject({ mode: 'long', long: [{ vpcId: 'vpc-0a1b', planKey: 'idle-canary/plans/ecs-run/long/vpc-0a1b.json', resultKey: 'idle-canary/results/ecs-run/long/vpc-0a1b.json', items: 1, deferred: 0 }] });
    expect(JSON.parse(bucket.objects.get('idle-canary/plans/ecs-run/long/vpc-0a1b.json')!)).toMatchObject({ runId: 'ecs-run', vpcId: 'vpc-0a1b', items: [{ key: '10.0.3.17:8080|http|/health|plain' }] });
  });

  it.each([
    ['GRPC', 'HTTP', false, '(gRPC)'],
    ['HTTP2', 'HTTPS', true, '(HTTP/2)'],
  ] as const)('probes the green tasks of a %s target group on %s in that protocol, apart from HTTP/1.1 in their plan key and id', async (version, protocol, tls, label) => {
    // Prepare
    account([{ ip: '10.0.3.17', state: 'healthy' }], '60', [], { ...GROUP, Protocol: protocol, ProtocolVersion: version, HealthCheckPath: '/AWS.ALB/healthcheck' });

    // Act
    const run = await planGate(SUBJECT, clients, options);

    // Assess
    expect(run.loadBalancers[0].backends.map((b) => b.id)).toEqual([`10.0.3.17:8080 ${label}`]);
    expect(run.shard!.items).toEqual([
      {
        key: `10.0.3.17:8080|${tls ? 'https' : 'http'}|/AWS.ALB/healthcheck|plain|${version}`,
        job: { target: { host: '10.0.3.17', port: 8080, tls, path: '/AWS.ALB/healthcheck', protocolVersion: version }, loadBalancerIdleTimeoutS: 60 },
        loadBalancers: ['shop'],
      },
    ]);
  });

  it.each([
    ['the target group speaks a protocol version the probe does not', () => account([{ ip: '10.0.3.17', state: 'healthy' }], '60', [], { ...GROUP, ProtocolVersion: 'HTTP3' }), /^the target group web-green is not probed: its protocol version HTTP3 is not one the probe speaks \(HTTP1, HTTP2, GRPC\), and probing it in another would judge an answer the load balancer never gets$/],
    ['no task is registered', () => account([]), /^no replacement task is registered in the target group web-green$/],
    ['the tasks are instances, not IP targets', () => account([{ ip: 'i-0abc', state: 'healthy' }], '60', [], { ...GROUP, TargetType: 'instance' }), /has targets of type instance: the gate probes tasks by IP address/],
    ['the ALB answers a timeout out of range', () => account([{ ip: '10.0.3.17', state: 'healthy' }], '99999'), /idle_timeout\.timeout_seconds=99999: expected a whole number from 1 to 4000$/],
    ['an AWS call is refused', () => (account([{ ip: '10.0.3.17', state: 'healthy' }]), elb.on(DescribeTargetHealthCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }))), /^the replacement tasks could not be read: DescribeTargetHealth: AccessDenied: User is not authorized$/],
  ])('plans nothing to probe, with the reason, when %s', async (_what, prepare, reason) => {
    // Prepare
    prepare();

    // Act
    const run = await planGate(SUBJECT, clients, options);

    // Assess
    expect(run).toMatchObject({ mode: 'none', loadBalancers: [] });
    expect(run.problem).toMatch(reason);
  });
});
