/**
 * Classic Load Balancers: idle timeout, listeners, health check, proxy protocol, InService
 * instances. The seed incident was one of these in front of Kubernetes NodePorts.
 */
import {
  DescribeInstanceHealthCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancerPoliciesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingClient,
  paginateDescribeLoadBalancers,
  type DescribeLoadBalancerAttributesOutput,
  type ListenerDescription,
  type LoadBalancerDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import { allPages, call, mapLimit, settledOrThrow, tagsInBatches } from './aws';
import { failed, type FoundBackend, type FoundLoadBalancer } from './found';
import { selectListed, tagOverrides, type Selection, type TagsOrError } from './select';
import type { NotCovered, Skipped } from './types';
import { printable } from '../shared/printable';
import { DEFAULTS } from '../shared/settings';

/** `DescribeTags` takes up to 20 load balancer names. */
const TAG_BATCH = 20;

/** A backend port and how to probe it, or why it is not probed. */
export type PortPlan = Omit<FoundBackend, 'instanceId' | 'ip' | 'targetGroup'>;

/**
 * The ports a Classic ELB sends traffic to, and how to probe each.
 *
 * Why the health check decides for TCP and SSL listeners: the probe must send a real HTTP
 * request; a TCP listener's backend may speak anything, unless the load balancer itself
 * checks it over HTTP on that port.
 *
 * @example
 * classicPorts([{ Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 30080 } }], 'HTTP:30080/healthz', new Set());
 * // { ports: [{ port: 30080, tls: false, path: '/healthz', proxyProtocol: false }], skipped: [] }
 */
export function classicPorts(
  listeners: readonly ListenerDescription[],
  healthCheckTarget: string | undefined,
  proxyProtocolPorts: ReadonlySet<number>,
  pathOverride?: string,
): { ports: PortPlan[]; skipped: Skipped[] } {
  const health = /^(HTTPS?|TCP|SSL):(\d+)(\/.*)?$/i.exec(healthCheckTarget ?? '');
  const healthPort = health ? Number(health[2]) : null;
  const healthIsHttp = health !== null && /^HTTPS?$/i.test(health[1]);
  const ports = new Map<number, PortPlan>();
  const skipped: Skipped[] = [];
  for (const { Listener: listener } of listeners) {
    if (!listener?.InstancePort) continue;
    const port = listener.InstancePort;
    const protocol = (listener.InstanceProtocol ?? listener.Protocol ?? 'HTTP').toUpperCase();
    const what = `listener ${listener.Protocol}:${listener.LoadBalancerPort}->${protocol}:${port}`;
    const checkedOverHttp = healthIsHttp && healthPort === port;
    if ((protocol === 'TCP' || protocol === 'SSL') && !checkedOverHttp) {
      skipped.push({ what, reason: `the instance port speaks ${protocol} and its health check (${healthCheckTarget ?? 'none'}) is not HTTP on that port, so there is no HTTP request to probe with` });
      continue;
    }
    if (ports.has(port)) continue;
    const path = pathOverride ?? (checkedOverHttp ? (health![3] ?? '/') : '/');
    ports.set(port, { port, tls: protocol === 'HTTPS' || protocol === 'SSL', path, proxyProtocol: proxyProtocolPorts.has(port) });
  }
  return { ports: [...ports.values()], skipped };
}

/**
 * Every Classic ELB of the client's region, in as few pages as the API allows.
 *
 * @example
 * (await listClassicLoadBalancers(elb)).map((lb) => lb.DNSName);
 */
export function listClassicLoadBalancers(client: ElasticLoadBalancingClient): Promise<LoadBalancerDescription[]> {
  return allPages('DescribeLoadBalancers (Classic)', paginateDescribeLoadBalancers({ client, pageSize: 400 }, {}), (page) => page.LoadBalancerDescriptions);
}

/**
 * Every Classic ELB of the region that the selection keeps, with its backends by instance id.
 */
export async function findClassic(client: ElasticLoadBalancingClient, selection: Selection, concurrency: number): Promise<{ found: FoundLoadBalancer[]; excluded: NotCovered[] }> {
  const all = await listClassicLoadBalancers(client);
  const listed = all.map((lb) => ({ item: lb, name: lb.LoadBalancerName!, vpcId: lb.VPCId ?? 'EC2-Classic', tagKey: lb.LoadBalancerName! }));
  if (selection.targetGroupArns?.length) return { found: [], excluded: listed.map((lb) => ({ name: lb.name, type: 'classic', reason: 'has no target groups, and the selection names target groups' })) };
  const { selected, excluded } = await selectListed(listed, selection, 'classic', (names) =>
    tagsInBatches(names, TAG_BATCH, async (batch) => {
      const output = await call('DescribeTags (Classic)', client.send(new DescribeTagsCommand({ LoadBalancerNames: batch })));
      return (output.TagDescriptions ?? []).map((d) => ({ key: d.LoadBalancerName!, tags: d.Tags ?? [] }));
    }),
  );
  const found = await mapLimit(selected, concurrency, ({ item, tags }) => describeClassic(client, item, tags));
  return { found, excluded };
}

async function describeClassic(client: ElasticLoadBalancingClient, lb: LoadBalancerDescription, tags: TagsOrError): Promise<FoundLoadBalancer> {
  const name = lb.LoadBalancerName!;
  const base = { name, type: 'classic' as const, vpcId: lb.VPCId ?? 'EC2-Classic', ...(lb.DNSName ? { dnsName: lb.DNSName } : {}) };
  let idleTimeoutS: number | null = null;
  try {
    if (tags instanceof Error) throw tags;
    const overrides = tagOverrides(tags);
    const [attributes, health, proxyPorts] = await settledOrThrow(
      [
        call('DescribeLoadBalancerAttributes', client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerName: name }))),
        call('DescribeInstanceHealth', client.send(new DescribeInstanceHealthCommand({ LoadBalancerName: name }))),
        proxyProtocolPorts(client, lb),
      ] as const,
      (settled) => (idleTimeoutS = classicIdleTimeoutS(settled[0])),
    );
    const { ports, skipped } = classicPorts(lb.ListenerDescriptions ?? [], lb.HealthCheck?.Target, proxyPorts, overrides.path);
    const states = health.InstanceStates ?? [];
    const inService = states.filter((s) => s.State === 'InService').map((s) => s.InstanceId!);
    const notInService = states
      .filter((s) => s.State !== 'InService')
      .map((s) => ({ what: `instance ${printable(String(s.InstanceId), 64)}`, reason: `is ${printable(String(s.State), 32)}${s.Description && s.Description !== 'N/A' ? ` (${printable(s.Description, 200)})` : ''}` }));
    return {
      ...base,
      idleTimeoutS: classicIdleTimeoutS(attributes) ?? DEFAULTS.loadBalancerIdleTimeoutS,
      ...(overrides.marginS !== undefined ? { marginS: overrides.marginS } : {}),
      backends: inService.flatMap((instanceId) => ports.map((port) => ({ ...port, instanceId }))),
      skipped: [...skipped, ...notInService],
    };
  } catch (error) {
    return failed(base, error, idleTimeoutS);
  }
}

/**
 * A Classic ELB's idle timeout from its attributes, `null` when they leave it out.
 *
 * Why one reader: discovery in the run's region and a CloudFront origin's lookup in another
 * (`elsewhere.ts`) read the same attribute.
 *
 * @example
 * classicIdleTimeoutS({ LoadBalancerAttributes: { ConnectionSettings: { IdleTimeout: 350 } } }); // 350
 */
export function classicIdleTimeoutS(attributes: DescribeLoadBalancerAttributesOutput | undefined): number | null {
  return attributes?.LoadBalancerAttributes?.ConnectionSettings?.IdleTimeout ?? null;
}

/**
 * Instance ports with a ProxyProtocol policy enabled; asks the API only when some backend
 * port has policies at all.
 */
async function proxyProtocolPorts(client: ElasticLoadBalancingClient, lb: LoadBalancerDescription): Promise<Set<number>> {
  const withPolicies = (lb.BackendServerDescriptions ?? []).filter((b) => (b.PolicyNames ?? []).length > 0);
  if (withPolicies.length === 0) return new Set();
  const names = [...new Set(withPolicies.flatMap((b) => b.PolicyNames!))];
  const output = await call('DescribeLoadBalancerPolicies', client.send(new DescribeLoadBalancerPoliciesCommand({ LoadBalancerName: lb.LoadBalancerName, PolicyNames: names })));
  const proxy = new Set(
    (output.PolicyDescriptions ?? [])
      .filter((p) => p.PolicyTypeName === 'ProxyProtocolPolicyType' && (p.PolicyAttributeDescriptions ?? []).some((a) => a.AttributeName === 'ProxyProtocol' && a.AttributeValue?.toLowerCase() === 'true'))
      .map((p) => p.PolicyName!),
  );
  return new Set(withPolicies.filter((b) => b.PolicyNames!.some((n) => proxy.has(n))).map((b) => b.InstancePort!));
}
