import { DescribeInstanceHealthCommand, DescribeLoadBalancersCommand as ClassicList } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CLASSIC_SOURCE, createClients, discover, toProbePlan } from '../../../lambda/discovery';
import { mockAccount, type AccountSpec } from './fixtures';

const account: AccountSpec = {
  pageSize: 2,
  classic: [
    {
      name: 'k8s-web',
      idleTimeoutS: 60,
      listeners: [['HTTP', 80, 'HTTP', 30080], ['HTTPS', 443, 'HTTP', 30080]],
      healthCheck: 'HTTP:30080/healthz',
      instances: [{ id: 'i-0a', ip: '10.0.1.10' }, { id: 'i-0b', ip: '10.0.1.11' }, { id: 'i-0c', ip: '10.0.1.12', state: 'OutOfService' }, { id: 'i-0d', ip: null }],
    },
    {
      name: 'tcp-raw',
      idleTimeoutS: 60,
      listeners: [['TCP', 5432, 'TCP', 5432]],
      healthCheck: 'TCP:5432',
      instances: [{ id: 'i-0e', ip: '10.0.2.10' }],
    },
    {
      name: 'tcp-http-checked',
      idleTimeoutS: 120,
      listeners: [['TCP', 80, 'TCP', 8080]],
      healthCheck: 'HTTP:8080/ping',
      instances: [{ id: 'i-0f', ip: '10.0.2.11' }],
      proxyProtocolPorts: [8080],
    },
    { name: 'throttled', idleTimeoutS: 60, listeners: [['HTTP', 80, 'HTTP', 80]], healthCheck: 'HTTP:80/', instances: [{ id: 'i-10', ip: '10.0.3.10' }], failing: { operation: 'DescribeLoadBalancerAttributes', error: 'Throttling' } },
    { name: 'opted-out', idleTimeoutS: 60, listeners: [['HTTP', 80, 'HTTP', 80]], healthCheck: 'HTTP:80/', instances: [{ id: 'i-11', ip: '10.0.3.11' }], tags: { 'idle-canary:skip': 'true' } },
  ],
  alb: [
    {
      name: 'api',
      idleTimeoutS: 300,
      tags: { 'idle-canary:path': '/ready', 'idle-canary:margin': '5' },
      targetGroups: [
        { name: 'api-ecs', port: 8080, targetType: 'ip', healthCheckPath: '/health', targets: [{ id: '10.0.4.20', port: 8080 }, { id: '10.0.4.21', port: 8080, state: 'unhealthy' }] },
        { name: 'api-fn', port: 0, targetType: 'lambda', targets: [] },
      ],
    },
    { name: 'admin', idleTimeoutS: 60, targetGroups: [{ name: 'admin-ec2', port: 443, protocol: 'HTTPS', targetType: 'instance', healthCheckPath: '/login', targets: [{ id: 'i-0a' }] }] },
    { name: 'locked', targetGroups: [{ name: 'locked-tg', port: 80, targetType: 'ip', targets: [{ id: '10.0.5.1' }] }], failing: { operation: 'DescribeTargetHealth', error: 'AccessDenied' } },
    { name: 'nlb-dns', type: 'network' },
  ],
};

describe('discover', () => {
  it('reads every page of both APIs and plans each covered load balancer with its reasons', async () => {
    // Prepare
    const { clients } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    const byName = Object.fromEntries(discovery.loadBalancers.map((lb) => [lb.name, lb]));
    expect(Object.keys(byName).sort()).toEqual(['admin', 'api', 'k8s-web', 'locked', 'tcp-http-checked', 'tcp-raw', 'throttled']);
    expect(byName['k8s-web']).toMatchObject({
      type: 'classic',
      vpcId: 'vpc-0a1',
      idleTimeoutS: 60,
      backends: [
        { id: 'i-0a:30080', instanceId: 'i-0a', target: { host: '10.0.1.10', port: 30080, tls: false, path: '/healthz' }, proxyProtocol: false },
        { id: 'i-0b:30080', instanceId: 'i-0b', target: { host: '10.0.1.11', port: 30080, tls: false, path: '/healthz' }, proxyProtocol: false },
      ],
      skipped: [
        { what: 'instance i-0c', reason: 'is OutOfService (Instance has failed at least the UnhealthyThreshold number of health checks consecutively.)' },
        { what: 'instance i-0d', reason: 'is registered but no longer exists (EC2 does not know it)' },
      ],
    });
    expect(byName['k8s-web'].error).toBeUndefined();
  });

  it('probes TCP listeners as HTTP only where the health check is HTTP on that port, with the proxy protocol where enabled', async () => {
    // Prepare
    const { clients } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    const byName = Object.fromEntries(discovery.loadBalancers.map((lb) => [lb.name, lb]));
    expect(byName['tcp-raw'].backends).toEqual([]);
    expect(byName['tcp-raw'].skipped).toEqual([
      { what: 'listener TCP:5432->TCP:5432', reason: 'the instance port speaks TCP and its health check (TCP:5432) is not HTTP on that port, so there is no HTTP request to probe with' },
    ]);
    expect(byName['tcp-http-checked'].backends).toEqual([
      { id: 'i-0f:8080', instanceId: 'i-0f', target: { host: '10.0.2.11', port: 8080, tls: false, path: '/ping' }, proxyProtocol: true },
    ]);
  });

  it('reads ALB targets: healthy ip and instance targets, tag overrides, lambda groups skipped', async () => {
    // Prepare
    const { clients } = mockAccount({ ...account, instances: [{ id: 'i-0a', ip: '10.0.1.10' }] });

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    const byName = Object.fromEntries(discovery.loadBalancers.map((lb) => [lb.name, lb]));
    expect(byName['api']).toMatchObject({
      type: 'application',
      idleTimeoutS: 300,
      marginS: 5,
      backends: [{ id: '10.0.4.20:8080', targetGroup: 'api-ecs', target: { host: '10.0.4.20', port: 8080, tls: false, path: '/ready' } }],
      skipped: [
        { what: 'target 10.0.4.21:8080 in target group api-ecs', reason: 'is unhealthy (Target.FailedHealthChecks)' },
        { what: 'target group api-fn', reason: 'its targets are Lambda functions, which hold no idle backend connections to probe' },
      ],
    });
    expect(byName['admin'].backends).toEqual([
      { id: 'i-0a:443', instanceId: 'i-0a', targetGroup: 'admin-ec2', target: { host: '10.0.1.10', port: 443, tls: true, path: '/login' }, proxyProtocol: false },
    ]);
  });

  it('skips a target group in a protocol version the probe does not speak, with the reason, and probes the groups beside it in theirs', async () => {
    // Prepare
    const { clients } = mockAccount({
      alb: [
        {
          name: 'edge',
          targetGroups: [
            { name: 'edge-h3', port: 8443, protocolVersion: 'HTTP3', targetType: 'ip', targets: [{ id: '10.0.6.1' }] },
            { name: 'edge-grpc', port: 50051, protocolVersion: 'GRPC', healthCheckPath: '/AWS.ALB/healthcheck', targetType: 'ip', targets: [{ id: '10.0.6.1' }] },
          ],
        },
      ],
    });

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    expect(discovery.loadBalancers).toMatchObject([
      {
        name: 'edge',
        backends: [{ id: '10.0.6.1:50051 (gRPC)', target: { host: '10.0.6.1', port: 50051, tls: false, path: '/AWS.ALB/healthcheck', protocolVersion: 'GRPC' } }],
        skipped: [{ what: 'target group edge-h3', reason: 'its protocol version HTTP3 is not one the probe speaks (HTTP1, HTTP2, GRPC), and probing it in another would judge an answer the load balancer never gets' }],
      },
    ]);
  });

  it('marks load balancers whose calls fail as errors, names the call, and goes on with the others', async () => {
    // Prepare
    const { clients } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    const byName = Object.fromEntries(discovery.loadBalancers.map((lb) => [lb.name, lb]));
    expect(byName['throttled']).toMatchObject({ backends: [], idleTimeoutS: null, error: 'DescribeLoadBalancerAttributes: Throttling: Throttling (mocked)' });
    // The idle timeout was read although the target health call failed: it is kept
    expect(byName['locked']).toMatchObject({ backends: [], idleTimeoutS: 60, error: 'DescribeTargetHealth: AccessDenied: AccessDenied (mocked)' });
    expect(byName['k8s-web'].backends).toHaveLength(2);
  });

  it('lists Network Load Balancers as not covered and opted-out ones as excluded, with reasons', async () => {
    // Prepare
    const { clients } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    expect(discovery.notCovered).toEqual([
      { name: 'nlb-dns', type: 'network', reason: 'Network Load Balancers keep idle TCP flows for 350 s by default (tcp.idle_timeout.seconds) and reset them after; their targets are probed only behind a CloudFront VPC origin (with cloudFront)' },
    ]);
    expect(discovery.excluded).toEqual([{ name: 'opted-out', type: 'classic', reason: 'opted out by the tag idle-canary:skip=true' }]);
  });

  it('counts its API calls: listings by page, tags in batches, one EC2 lookup for the region', async () => {
    // Prepare
    const { clients, elb, elbv2, ec2 } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0 });

    // Assess
    const sent = elb.calls().length + elbv2.calls().length + ec2.calls().length;
    expect(discovery.apiCalls).toBe(sent);
    expect(ec2.calls()).toHaveLength(1);
    expect(elb.commandCalls(ClassicList)).toHaveLength(3);
  });

  it('reads only the sources it is given: Classic ELBs alone make no v2 call', async () => {
    // Prepare
    const { clients, elbv2 } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0, sources: [CLASSIC_SOURCE] });

    // Assess
    expect(discovery.loadBalancers.map((lb) => lb.type)).toEqual(expect.arrayContaining(['classic']));
    expect(discovery.loadBalancers.every((lb) => lb.type === 'classic')).toBe(true);
    expect(discovery.notCovered).toEqual([]);
    expect(elbv2.calls()).toHaveLength(0);
  });

  it('selects the ALBs that forward to a target group, with only its targets, and leaves the others and every Classic ELB out', async () => {
    // Prepare
    const { clients } = mockAccount(account);
    const arn = (await clients.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups!.find((g) => g.TargetGroupName === 'api-ecs')!.TargetGroupArn!;

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0, targetGroupArns: [arn] });

    // Assess
    expect(discovery.loadBalancers.map((lb) => [lb.name, lb.backends.map((b) => `${b.targetGroup} ${b.id}`), lb.skipped.map((s) => s.what)])).toEqual([
      ['api', ['api-ecs 10.0.4.20:8080'], ['target 10.0.4.21:8080 in target group api-ecs']],
    ]);
    expect(Object.fromEntries(discovery.excluded.map((lb) => [`${lb.type} ${lb.name}`, lb.reason]))).toMatchObject({
      'classic k8s-web': 'has no target groups, and the selection names target groups',
      'application admin': `does not forward to the selected target group (${arn})`,
    });
  });

  it('selects by VPC, name pattern and tag before describing anything', async () => {
    // Prepare
    const { clients, elb } = mockAccount(account);

    // Act
    const discovery = await discover({ region: 'eu-west-1', clients, rotation: 0, names: ['k8s-*', 'api'] });

    // Assess
    expect(discovery.loadBalancers.map((lb) => lb.name).sort()).toEqual(['api', 'k8s-web']);
    expect(discovery.excluded.find((e) => e.name === 'tcp-raw')?.reason).toBe('not among the selected names (k8s-*, api)');
    expect(elb.commandCalls(DescribeInstanceHealthCommand)).toHaveLength(1);
  });

  it('plans a backend shared by two load balancers once, against the longer idle timeout', async () => {
    // Prepare: i-0a serves k8s-web (60 s) on 30080; a second ELB of 350 s uses the same port and path
    const shared: AccountSpec = {
      classic: [
        account.classic![0],
        { name: 'k8s-web-internal', idleTimeoutS: 350, listeners: [['HTTP', 80, 'HTTP', 30080]], healthCheck: 'HTTP:30080/healthz', instances: [{ id: 'i-0a', ip: '10.0.1.10' }] },
      ],
    };
    const { clients } = mockAccount(shared);

    // Act
    const plan = toProbePlan((await discover({ region: 'eu-west-1', clients, rotation: 0 })).loadBalancers);

    // Assess
    expect(plan).toEqual([
      { key: '10.0.1.10:30080|http|/healthz|plain', job: { target: { host: '10.0.1.10', port: 30080, tls: false, path: '/healthz' }, loadBalancerIdleTimeoutS: 350 }, loadBalancers: ['k8s-web', 'k8s-web-internal'] },
      { key: '10.0.1.11:30080|http|/healthz|plain', job: { target: { host: '10.0.1.11', port: 30080, tls: false, path: '/healthz' }, loadBalancerIdleTimeoutS: 60 }, loadBalancers: ['k8s-web'] },
    ]);
  });

  it('creates its clients with the adaptive retry mode, since the Describe APIs share a token bucket, CloudFront\'s in us-east-1 (its API is global), and another region\'s ELB clients in that region', async () => {
    // Act
    const { inRegion, ...clients } = createClients('eu-west-1');
    const west = inRegion!('us-west-2');

    // Assess
    for (const client of [...Object.values(clients), west.elb, west.elbv2]) {
      const strategy = await (client.config as { retryStrategy: () => Promise<{ mode: string }> }).retryStrategy();
      expect(strategy.mode).toBe('adaptive');
      expect(await client.config.region()).toBe(client === clients.cloudFront ? 'us-east-1' : client === west.elb || client === west.elbv2 ? 'us-west-2' : 'eu-west-1');
    }
  });
});
