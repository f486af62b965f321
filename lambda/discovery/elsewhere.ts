/**
 * Load balancers of another region than the run's, looked up for a CloudFront origin on one:
 * CloudFront is global, so its origin may be a load balancer anywhere, and the keep-alive check
 * needs only that load balancer's idle timeout.
 */
import { DescribeLoadBalancerAttributesCommand as DescribeClassicAttributesCommand, type ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancerAttributesCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULTS } from '../shared/settings';
import { albIdleTimeoutS, listV2LoadBalancers } from './alb';
import { call } from './aws';
import { classicIdleTimeoutS, listClassicLoadBalancers } from './classic';
import type { FoundLoadBalancer } from './found';

/** The ELB clients of one region. */
export interface RegionClients {
  readonly elb: ElasticLoadBalancingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

/** A DNS name as load balancers are matched by it: lower case, without a final dot or the `dualstack.` prefix. */
const bareDnsName = (name: string) => name.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');

/**
 * Whether two DNS names are one load balancer's (case, final dot and `dualstack.` aside).
 *
 * @example
 * sameDnsName('DualStack.api-1.eu-west-1.elb.amazonaws.com.', 'api-1.eu-west-1.elb.amazonaws.com'); // true
 */
export const sameDnsName = (a: string, b: string) => bareDnsName(a) === bareDnsName(b);

/**
 * Whether a domain is an Elastic Load Balancing DNS name (any region, any kind), beside
 * `loadBalancerRegion`, which reads the region from one.
 *
 * @example
 * isLoadBalancerDomain('tcp-60dc.elb.eu-west-1.amazonaws.com'); // true
 */
export const isLoadBalancerDomain = (domain: string) => /\.elb\.([a-z0-9-]+\.)?amazonaws\.com(\.cn)?\.?$/i.test(domain);

/** A region's name, as it appears in ELB DNS names and ARNs: `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';

/**
 * The region of a load balancer from its ARN or its DNS name (`NAME-ID.REGION.elb.amazonaws.com`
 * for ALBs and Classic ELBs, `NAME-ID.elb.REGION.amazonaws.com` for NLBs); `undefined` when it
 * names none.
 *
 * @example
 * loadBalancerRegion('web-9.us-west-2.elb.amazonaws.com'); // 'us-west-2'
 * loadBalancerRegion('arn:aws:elasticloadbalancing:ap-south-1:123456789012:loadbalancer/app/api/50dc'); // 'ap-south-1'
 */
export function loadBalancerRegion(domainOrArn: string): string | undefined {
  const arn = new RegExp(`^arn:[a-z-]+:elasticloadbalancing:(${REGION}):`, 'i').exec(domainOrArn);
  const dns = new RegExp(`\\.(?:(${REGION})\\.elb|elb\\.(${REGION}))\\.amazonaws\\.com(?:\\.cn)?\\.?$`, 'i').exec(domainOrArn);
  return (arn?.[1] ?? dns?.[1] ?? dns?.[2])?.toLowerCase();
}

/** How an origin names its load balancer: by ARN (a VPC origin) or by DNS name (a custom origin). */
export type LoadBalancerReference = { readonly arn: string } | { readonly dnsName: string };

/**
 * Finds load balancers of one region by ARN or DNS name, with their idle timeouts: the region's
 * ALBs and Classic ELBs are listed once (two paginated calls), then only the ones asked for are
 * described. `undefined`: no ALB or Classic ELB of the region has that name. A failing call throws.
 *
 * @example
 * const find = regionLookup(clientsIn('us-west-2'));
 * await find({ dnsName: 'web-9.us-west-2.elb.amazonaws.com' }); // { name: 'web', type: 'application', idleTimeoutS: 60, ... }
 */
export function regionLookup(clients: RegionClients): (reference: LoadBalancerReference) => Promise<FoundLoadBalancer | undefined> {
  let listed: Promise<FoundLoadBalancer[]> | undefined;
  const list = async (): Promise<FoundLoadBalancer[]> => {
    const [v2, classic] = await Promise.all([
      listV2LoadBalancers(clients.elbv2),
      listClassicLoadBalancers(clients.elb),
    ]);
    const none = { idleTimeoutS: null, backends: [], skipped: [] };
    return [
      ...v2.filter((lb) => lb.Type === 'application').map((lb): FoundLoadBalancer => ({ ...none, name: lb.LoadBalancerName!, type: 'application', arn: lb.LoadBalancerArn!, vpcId: lb.VpcId ?? '', dnsName: lb.DNSName ?? '' })),
      ...classic.map((lb): FoundLoadBalancer => ({ ...none, name: lb.LoadBalancerName!, type: 'classic', vpcId: lb.VPCId ?? '', dnsName: lb.DNSName ?? '' })),
    ];
  };
  return async (reference) => {
    listed ??= list();
    const all = await listed;
    const lb = 'arn' in reference ? all.find((f) => f.arn === reference.arn) : all.find((f) => sameDnsName(f.dnsName ?? '', reference.dnsName));
    if (lb === undefined) return undefined;
    return { ...lb, idleTimeoutS: await idleTimeoutOf(clients, lb) };
  };
}

/** A listed load balancer's idle timeout (AWS's default when its attributes leave it out, as discovery reads it in the run's region). */
async function idleTimeoutOf(clients: RegionClients, lb: FoundLoadBalancer): Promise<number> {
  const timeoutS =
    lb.type === 'application'
      ? albIdleTimeoutS(await call('DescribeLoadBalancerAttributes', clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.arn }))))
      : classicIdleTimeoutS(await call('DescribeLoadBalancerAttributes', clients.elb.send(new DescribeClassicAttributesCommand({ LoadBalancerName: lb.name }))));
  return timeoutS ?? DEFAULTS.loadBalancerIdleTimeoutS;
}
