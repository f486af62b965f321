/**
 * A mocked AWS account: real SDK clients whose requests are answered by aws-sdk-client-mock
 * from a short description of load balancers, paginated like the real APIs.
 */
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancerAttributesCommand as ClassicAttributes,
  DescribeLoadBalancerPoliciesCommand,
  DescribeLoadBalancersCommand as ClassicList,
  DescribeTagsCommand as ClassicTags,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancerAttributesCommand as V2Attributes,
  DescribeLoadBalancersCommand as V2List,
  DescribeTagsCommand as V2Tags,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { DiscoveryClients } from '../../../lambda/discovery';

export interface InstanceSpec {
  readonly id: string;
  /** Private IP; `null` for an instance EC2 no longer knows. */
  readonly ip: string | null;
  /** @default 'InService' */
  readonly state?: 'InService' | 'OutOfService' | 'Unknown';
}

export interface ClassicSpec {
  readonly name: string;
  readonly vpcId?: string;
  readonly idleTimeoutS: number;
  /** `[protocol, port, instanceProtocol, instancePort]` */
  readonly listeners: ReadonlyArray<readonly [string, number, string, number]>;
  /** e.g. `HTTP:30080/health` or `TCP:30080` */
  readonly healthCheck: string;
  readonly instances: readonly InstanceSpec[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly proxyProtocolPorts?: readonly number[];
  /** Make this operation fail for this load balancer with this error name. */
  readonly failing?: { readonly operation: 'DescribeLoadBalancerAttributes' | 'DescribeInstanceHealth'; readonly error: string };
}

export interface TargetSpec {
  readonly id: string;
  readonly port?: number;
  /** @default 'healthy' */
  readonly state?: string;
}

export interface TargetGroupSpec {
  readonly name: string;
  readonly protocol?: 'HTTP' | 'HTTPS';
  readonly port: number;
  readonly healthCheckPath?: string;
  /** The group's `ProtocolVersion`, any word AWS might answer. @default absent (HTTP1) */
  readonly protocolVersion?: string;
  readonly targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  readonly targets: readonly TargetSpec[];
}

export interface AlbSpec {
  readonly name: string;
  /** @default 'application' */
  readonly type?: 'application' | 'network' | 'gateway';
  readonly vpcId?: string;
  readonly idleTimeoutS?: number;
  readonly targetGroups?: readonly TargetGroupSpec[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly failing?: { readonly operation: 'DescribeTargetHealth' | 'DescribeLoadBalancerAttributes'; readonly error: string };
}

export interface AccountSpec {
  readonly classic?: readonly ClassicSpec[];
  readonly alb?: readonly AlbSpec[];
  /** EC2 instances known to the account besides those of the Classic ELBs (ALB targets). */
  readonly instances?: readonly InstanceSpec[];
  /** Load balancers per listing page. @default 2 */
  readonly pageSize?: number;
}

const arnOf = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/${name}/0123456789abcdef`;
const groupArnOf = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;

/** An AWS SDK error as the service would return it. */
export function awsError(name: string, message = `${name} (mocked)`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: name === 'AccessDenied' ? 403 : 400 } });
}

/** Pages of `items`, answered by the `Marker` the request carries. */
function paged<T>(items: readonly T[], size: number, marker: string | undefined): { page: T[]; next?: string } {
  const start = marker === undefined ? 0 : Number(marker);
  const next = start + size < items.length ? String(start + size) : undefined;
  return { page: items.slice(start, start + size), ...(next ? { next } : {}) };
}

/**
 * Installs the mocks for an account and returns the clients discovery should use, with the
 * mocks (to inspect calls). With `everyClient`, every client of those classes is mocked, for
 * code that creates its own (the command line); call `restore()` on each mock afterwards.
 */
export function mockAccount(spec: AccountSpec, { everyClient = false } = {}) {
  const clients: DiscoveryClients = {
    elb: new ElasticLoadBalancingClient({ region: 'eu-west-1' }),
    elbv2: new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }),
    ec2: new EC2Client({ region: 'eu-west-1' }),
  };
  const elb = everyClient ? mockClient(ElasticLoadBalancingClient) : mockClient(clients.elb);
  const elbv2 = everyClient ? mockClient(ElasticLoadBalancingV2Client) : mockClient(clients.elbv2);
  const ec2 = everyClient ? mockClient(EC2Client) : mockClient(clients.ec2);
  const size = spec.pageSize ?? 2;
  const classic = spec.classic ?? [];
  const albs = spec.alb ?? [];
  const classicByName = new Map(classic.map((lb) => [lb.name, lb]));
  const albByArn = new Map(albs.map((lb) => [arnOf(lb.name), lb]));
  const groups = new Map(albs.flatMap((lb) => (lb.targetGroups ?? []).map((g) => [groupArnOf(g.name), g] as const)));
  const fail = (failing: { operation: string; error: string } | undefined, operation: string) => {
    if (failing?.operation === operation) throw awsError(failing.error);
  };

  elb.on(ClassicList).callsFake((input) => {
    const { page, next } = paged(classic, size, input.Marker);
    return {
      NextMarker: next,
      LoadBalancerDescriptions: page.map((lb) => ({
        LoadBalancerName: lb.name,
        VPCId: lb.vpcId ?? 'vpc-0a1',
        ListenerDescriptions: lb.listeners.map(([protocol, port, instanceProtocol, instancePort]) => ({
          Listener: { Protocol: protocol, LoadBalancerPort: port, InstanceProtocol: instanceProtocol, InstancePort: instancePort },
          PolicyNames: [],
        })),
        HealthCheck: { Target: lb.healthCheck, Interval: 10, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 2 },
        Instances: lb.instances.map((i) => ({ InstanceId: i.id })),
        BackendServerDescriptions: (lb.proxyProtocolPorts ?? []).map((port) => ({ InstancePort: port, PolicyNames: ['EnableProxyProtocol'] })),
        Policies: { OtherPolicies: lb.proxyProtocolPorts?.length ? ['EnableProxyProtocol'] : [] },
      })),
    };
  });
  elb.on(ClassicTags).callsFake((input) => ({
    TagDescriptions: (input.LoadBalancerNames ?? []).map((name: string) => ({
      LoadBalancerName: name,
      Tags: Object.entries(classicByName.get(name)?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    })),
  }));
  elb.on(ClassicAttributes).callsFake((input) => {
    const lb = classicByName.get(input.LoadBalancerName)!;
    fail(lb.failing, 'DescribeLoadBalancerAttributes');
    return { LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: lb.idleTimeoutS } } };
  });
  elb.on(DescribeInstanceHealthCommand).callsFake((input) => {
    const lb = classicByName.get(input.LoadBalancerName)!;
    fail(lb.failing, 'DescribeInstanceHealth');
    return {
      InstanceStates: lb.instances.map((i) => ({
        InstanceId: i.id,
        State: i.state ?? 'InService',
        ReasonCode: i.state && i.state !== 'InService' ? 'Instance' : 'N/A',
        Description: i.state && i.state !== 'InService' ? 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' : 'N/A',
      })),
    };
  });
  elb.on(DescribeLoadBalancerPoliciesCommand).resolves({
    PolicyDescriptions: [{ PolicyName: 'EnableProxyProtocol', PolicyTypeName: 'ProxyProtocolPolicyType', PolicyAttributeDescriptions: [{ AttributeName: 'ProxyProtocol', AttributeValue: 'true' }] }],
  });

  elbv2.on(V2List).callsFake((input) => {
    const { page, next } = paged(albs, size, input.Marker);
    return {
      NextMarker: next,
      LoadBalancers: page.map((lb) => ({ LoadBalancerName: lb.name, LoadBalancerArn: arnOf(lb.name), Type: lb.type ?? 'application', VpcId: lb.vpcId ?? 'vpc-0a1', Scheme: 'internet-facing' })),
    };
  });
  elbv2.on(V2Tags).callsFake((input) => ({
    TagDescriptions: (input.ResourceArns ?? []).map((arn: string) => ({ ResourceArn: arn, Tags: Object.entries(albByArn.get(arn)?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) })),
  }));
  elbv2.on(V2Attributes).callsFake((input) => {
    const lb = albByArn.get(input.LoadBalancerArn)!;
    fail(lb.failing, 'DescribeLoadBalancerAttributes');
    return { Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }, { Key: 'idle_timeout.timeout_seconds', Value: String(lb.idleTimeoutS ?? 60) }] };
  });
  // All target groups of the region, paginated, each naming its load balancer.
  const allGroups = albs.flatMap((lb) => (lb.targetGroups ?? []).map((g) => ({ lb, g })));
  elbv2.on(DescribeTargetGroupsCommand).callsFake((input) => {
    const { page, next } = paged(allGroups, size, input.Marker);
    return {
      NextMarker: next,
      TargetGroups: page.map(({ lb, g }) => ({
        TargetGroupName: g.name,
        TargetGroupArn: groupArnOf(g.name),
        Protocol: g.targetType === 'lambda' ? undefined : (g.protocol ?? 'HTTP'),
        Port: g.targetType === 'lambda' ? undefined : g.port,
        TargetType: g.targetType,
        HealthCheckPath: g.healthCheckPath ?? '/',
        HealthCheckProtocol: 'HTTP',
        ...(g.protocolVersion !== undefined ? { ProtocolVersion: g.protocolVersion } : {}),
        LoadBalancerArns: [arnOf(lb.name)],
      })),
    };
  });
  const albOfGroup = new Map(allGroups.map(({ lb, g }) => [groupArnOf(g.name), lb]));
  elbv2.on(DescribeTargetHealthCommand).callsFake((input) => {
    fail(albOfGroup.get(input.TargetGroupArn)!.failing, 'DescribeTargetHealth');
    return {
      TargetHealthDescriptions: groups.get(input.TargetGroupArn)!.targets.map((t) => ({
        Target: { Id: t.id, ...(t.port !== undefined ? { Port: t.port } : {}) },
        TargetHealth: { State: t.state ?? 'healthy', ...(t.state && t.state !== 'healthy' ? { Reason: 'Target.FailedHealthChecks' } : {}) },
      })),
    };
  });

  const known = [...classic.flatMap((lb) => lb.instances), ...(spec.instances ?? [])].filter((i) => i.ip !== null);
  ec2.on(DescribeInstancesCommand).callsFake((input) => {
    const wanted = new Set<string>(input.Filters?.find((f: { Name: string }) => f.Name === 'instance-id')?.Values ?? []);
    const found = [...new Map(known.filter((i) => wanted.has(i.id)).map((i) => [i.id, i])).values()];
    return { Reservations: [{ Instances: found.map((i) => ({ InstanceId: i.id, PrivateIpAddress: i.ip! })) }] };
  });

  return { clients, elb, elbv2, ec2 };
}
