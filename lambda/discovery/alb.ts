/**
 * Application Load Balancers: idle timeout, target groups, healthy targets. Network and
 * Gateway Load Balancers are listed as not covered, with the reason.
 */
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
  type LoadBalancer,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { addToGroup } from '../shared/group';
import { allPages, call, mapLimit, settledOrThrow, tagsInBatches } from './aws';
import { failed, type FoundBackend, type FoundLoadBalancer } from './found';
import { selectListed, tagOverrides, type Selection, type TagsOrError } from './select';
import type { NotCovered, Skipped } from './types';
import { printable } from '../shared/printable';
import { DEFAULTS, RANGES } from '../shared/settings';
import { groupProtocol } from './target-group';

/** `DescribeTags` takes up to 20 ARNs. */
const TAG_BATCH = 20;

const NOT_COVERED: Readonly<Record<string, string>> = {
  network:
    'Network Load Balancers keep idle TCP flows for 350 s by default (tcp.idle_timeout.seconds) and reset them after; their targets are probed only behind a CloudFront VPC origin (with cloudFront)',
  gateway: 'Gateway Load Balancers forward packets to appliances, not HTTP requests; there is no HTTP idle connection to probe',
};

/**
 * Every ELBv2 load balancer of the client's region (ALBs, NLBs, GWLBs), in as few pages as the API allows.
 * A run lists them once (`DiscoveryClients.v2LoadBalancers`) for every source that reads them.
 *
 * @example
 * (await listV2LoadBalancers(elbv2)).filter((lb) => lb.Type === 'network');
 */
export function listV2LoadBalancers(client: ElasticLoadBalancingV2Client): Promise<LoadBalancer[]> {
  return allPages('DescribeLoadBalancers (v2)', paginateDescribeLoadBalancers({ client, pageSize: 400 }, {}), (page) => page.LoadBalancers);
}

/**
 * `listV2LoadBalancers` on first use, the same listing on every call after.
 *
 * Why: the ALB source and the CloudFront source's origins on Network Load Balancers read the same
 * listing, and DescribeLoadBalancers shares the account's ELB token bucket.
 *
 * @example
 * const v2LoadBalancers = listedOnce(elbv2);
 * await v2LoadBalancers(); await v2LoadBalancers(); // one listing
 */
export function listedOnce(client: ElasticLoadBalancingV2Client): () => Promise<LoadBalancer[]> {
  let listing: Promise<LoadBalancer[]> | undefined;
  return () => (listing ??= listV2LoadBalancers(client));
}

/**
 * Every ALB of the region that the selection keeps, with its healthy targets, and the other
 * kinds of load balancer as not covered. `loadBalancers`: the region's listing when the run
 * already holds it (`listV2LoadBalancers`).
 */
export async function findApplication(
  client: ElasticLoadBalancingV2Client,
  selection: Selection,
  concurrency: number,
  loadBalancers: Promise<LoadBalancer[]> = listV2LoadBalancers(client),
): Promise<{ found: FoundLoadBalancer[]; excluded: NotCovered[]; notCovered: NotCovered[] }> {
  const all = await loadBalancers;
  const notCovered = all
    .filter((lb) => lb.Type !== 'application')
    .map((lb) => ({ name: lb.LoadBalancerName!, type: lb.Type ?? 'unknown', reason: NOT_COVERED[lb.Type ?? ''] ?? `type ${printable(String(lb.Type), 32)} is not covered` }));
  const listed = all
    .filter((lb) => lb.Type === 'application')
    .map((lb) => ({ item: lb, name: lb.LoadBalancerName!, vpcId: lb.VpcId ?? '', arn: lb.LoadBalancerArn!, tagKey: lb.LoadBalancerArn! }));
  const { selected, excluded } = await selectListed(listed, selection, 'application', (arns) =>
    tagsInBatches(arns, TAG_BATCH, async (batch) => {
      const output = await call('DescribeTags (v2)', client.send(new DescribeTagsCommand({ ResourceArns: batch })));
      return (output.TagDescriptions ?? []).map((d) => ({ key: d.ResourceArn!, tags: d.Tags ?? [] }));
    }),
  );
  const groups = selected.length > 0 ? await groupsByLoadBalancer(client).catch((error: Error) => error) : new Map<string, TargetGroup[]>();
  const chosen = selection.targetGroupArns?.length ? byTargetGroups(selected, groups, selection.targetGroupArns) : { selected, excluded: [], groups };
  const found = await mapLimit(chosen.selected, concurrency, ({ item, tags }) => describeAlb(client, item, tags, chosen.groups));
  return { found, excluded: [...excluded, ...chosen.excluded], notCovered };
}

/**
 * With target groups selected: the load balancers that forward to one of them, each with only
 * the selected groups; the others are excluded with the reason.
 */
function byTargetGroups<T extends { item: LoadBalancer }>(
  selected: readonly T[],
  groups: Map<string, TargetGroup[]> | Error,
  targetGroupArns: readonly string[],
): { selected: T[]; excluded: NotCovered[]; groups: Map<string, TargetGroup[]> | Error } {
  // Without the listing, which load balancer forwards to the group is unknown: each is kept and reported with the error.
  if (groups instanceof Error) return { selected: [...selected], excluded: [], groups };
  const kept = new Map([...groups].map(([arn, list]) => [arn, list.filter((g) => targetGroupArns.includes(g.TargetGroupArn!))] as const));
  const forwards = (entry: T) => (kept.get(entry.item.LoadBalancerArn!) ?? []).length > 0;
  return {
    selected: selected.filter(forwards),
    excluded: selected.filter((entry) => !forwards(entry)).map((entry) => ({ name: entry.item.LoadBalancerName!, type: 'application', reason: `does not forward to the selected target group (${targetGroupArns.join(', ')})` })),
    groups: kept,
  };
}

/**
 * Every target group of the region, by load balancer ARN, in a few paginated calls.
 *
 * Why not per load balancer: with 2,000 load balancers that is 2,000 calls from a token
 * bucket of about 10 a second, shared with every other tool of the account.
 */
async function groupsByLoadBalancer(client: ElasticLoadBalancingV2Client): Promise<Map<string, TargetGroup[]>> {
  const byArn = new Map<string, TargetGroup[]>();
  for (const group of await allPages('DescribeTargetGroups', paginateDescribeTargetGroups({ client, pageSize: 400 }, {}), (page) => page.TargetGroups)) {
    for (const arn of group.LoadBalancerArns ?? []) addToGroup(byArn, arn, group);
  }
  return byArn;
}

async function describeAlb(client: ElasticLoadBalancingV2Client, lb: LoadBalancer, tags: TagsOrError, groupsOf: Map<string, TargetGroup[]> | Error): Promise<FoundLoadBalancer> {
  const base = { name: lb.LoadBalancerName!, type: 'application' as const, arn: lb.LoadBalancerArn!, vpcId: lb.VpcId ?? '', ...(lb.DNSName ? { dnsName: lb.DNSName } : {}) };
  let idleTimeoutS: number | null = null;
  try {
    if (tags instanceof Error) throw tags;
    const overrides = tagOverrides(tags);
    const groups = groupsOf instanceof Error ? [] : (groupsOf.get(lb.LoadBalancerArn!) ?? []);
    const [attributes, perGroup] = await settledOrThrow(
      [
        call('DescribeLoadBalancerAttributes', client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }))),
        Promise.all(groups.map((group) => groupBackends(client, group, overrides.path))),
      ] as const,
      (settled) => (idleTimeoutS = albIdleTimeoutS(settled[0])),
    );
    if (groupsOf instanceof Error) throw groupsOf;
    return {
      ...base,
      idleTimeoutS: albIdleTimeoutS(attributes) ?? DEFAULTS.loadBalancerIdleTimeoutS,
      ...(overrides.marginS !== undefined ? { marginS: overrides.marginS } : {}),
      backends: perGroup.flatMap((g) => g.backends),
      skipped: perGroup.flatMap((g) => g.skipped),
    };
  } catch (error) {
    return failed(base, error, idleTimeoutS);
  }
}

/**
 * An ALB's idle timeout from its attributes, `null` when the attribute is absent.
 *
 * Why checked: the value is judged against and published; an answer that is no timeout is the
 * load balancer's error, not a number to probe with.
 *
 * @throws Error naming the value and what is accepted
 * @example
 * albIdleTimeoutS({ Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '60' }] }); // 60
 */
export function albIdleTimeoutS(attributes: { readonly Attributes?: ReadonlyArray<{ Key?: string; Value?: string }> } | undefined): number | null {
  const raw = attributes?.Attributes?.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value;
  if (raw === undefined) return null;
  const value = Number(raw);
  const { min, max } = RANGES.loadBalancerIdleTimeoutS;
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`idle_timeout.timeout_seconds=${printable(raw, 20)}: expected a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The healthy targets of one target group, as backends to probe in the protocol the load
 * balancer speaks to them (`groupProtocol`); a group in a protocol the probe does not speak is
 * skipped with the reason.
 *
 * Why only healthy ones: the load balancer sends traffic to nothing else.
 */
async function groupBackends(client: ElasticLoadBalancingV2Client, group: TargetGroup, pathOverride: string | undefined): Promise<{ backends: FoundBackend[]; skipped: Skipped[] }> {
  const what = `target group ${printable(String(group.TargetGroupName), 64)}`;
  if (group.TargetType === 'lambda' || group.TargetType === 'alb') {
    return { backends: [], skipped: [{ what, reason: `its targets are ${group.TargetType === 'lambda' ? 'Lambda functions' : 'Application Load Balancers'}, which hold no idle backend connections to probe` }] };
  }
  const protocol = groupProtocol(group);
  if ('notSpoken' in protocol) return { backends: [], skipped: [{ what, reason: protocol.notSpoken }] };
  const health = await call('DescribeTargetHealth', client.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn })));
  const descriptions = health.TargetHealthDescriptions ?? [];
  // A gRPC group's health check path names a method (`/AWS.ALB/healthcheck` by default): the gRPC wire sends it, or the standard health check when it names none.
  const path = pathOverride ?? group.HealthCheckPath ?? '/';
  const backends = descriptions
    .filter((d) => d.TargetHealth?.State === 'healthy')
    .map((d): FoundBackend => {
      const port = d.Target!.Port ?? group.Port!;
      const address = group.TargetType === 'ip' ? { ip: d.Target!.Id! } : { instanceId: d.Target!.Id! };
      return { ...address, port, ...protocol, path, proxyProtocol: false, targetGroup: group.TargetGroupName! };
    });
  const skipped = descriptions
    .filter((d) => d.TargetHealth?.State !== 'healthy')
    .map((d) => ({
      what: `target ${printable(String(d.Target?.Id), 64)}:${d.Target?.Port ?? group.Port} in ${what}`,
      reason: `is ${printable(String(d.TargetHealth?.State), 32)}${d.TargetHealth?.Reason ? ` (${printable(d.TargetHealth.Reason, 64)})` : ''}`,
    }));
  return { backends, skipped };
}
