/**
 * A discovery source: one kind of front (Classic ELBs, ALBs today; CloudFront next), listed
 * with the selection applied, each front with its idle timeout, its backends and where they
 * can be probed from.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client, LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { findApplication } from './alb';
import type { RegionClients } from './elsewhere';
import { findClassic } from './classic';
import { cloudFrontSource } from './cloudfront';
import type { FoundLoadBalancer } from './found';
import type { Selection } from './select';
import type { NotCovered } from './types';

/** The AWS clients discovery uses; created for the region when not given. */
export interface DiscoveryClients {
  readonly elb: ElasticLoadBalancingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly ec2: EC2Client;
  /** The global CloudFront API (us-east-1); only the CloudFront source uses it. */
  readonly cloudFront?: CloudFrontClient;
  /**
   * The ELB clients of another region, for a CloudFront origin on a load balancer there (the
   * CloudFront source calls it once per region).
   * @default none: such an origin is listed as not checked, with the reason
   */
  readonly inRegion?: (region: string) => RegionClients;
  /**
   * The region's ELBv2 load balancers, listed once for the run (`discover` sets it): the ALB source
   * and the CloudFront source's origins on Network Load Balancers read the same listing.
   * @default each source lists them itself
   */
  readonly v2LoadBalancers?: () => Promise<LoadBalancer[]>;
}

/** What one source found: the fronts it keeps, those the selection left out, and kinds it does not cover. */
export interface SourceFindings {
  readonly found: readonly FoundLoadBalancer[];
  readonly excluded: readonly NotCovered[];
  readonly notCovered: readonly NotCovered[];
}

/**
 * One kind of front. Discovery asks each source of its list in turn, and the rest of the
 * pipeline (addresses, sampling, plan, shards, judge) does not care which one found a front.
 *
 * Why a list: a new kind of front (a CloudFront origin, an NLB) is one new source, not a change
 * threaded through discovery.
 *
 * @example
 * const mine: DiscoverySource = { name: 'cloudfront', find: async (clients, selection) => ({ found: [], excluded: [], notCovered: [] }) };
 */
export interface DiscoverySource {
  /** Names the source in errors: `classic`, `application`, `cloudfront`. */
  readonly name: string;
  /**
   * The source reads the fronts the other sources found (CloudFront: an origin that is one of
   * them is checked against it); it runs after them, and gets them as `fronts`.
   * @default false
   */
  readonly readsFronts?: boolean;
  /**
   * The fronts of the region this selection keeps. A failing call for one front marks that
   * front with the error; only a failing listing throws.
   */
  find(clients: DiscoveryClients, selection: Selection, concurrency: number, fronts?: readonly FoundLoadBalancer[]): Promise<SourceFindings>;
}

/** Classic Load Balancers, with their InService instances. */
export const CLASSIC_SOURCE: DiscoverySource = { name: 'classic', find: async (clients, selection, concurrency) => ({ ...(await findClassic(clients.elb, selection, concurrency)), notCovered: [] }) };

/** Application Load Balancers, with their healthy targets; Network and Gateway ones as not covered. */
export const APPLICATION_SOURCE: DiscoverySource = { name: 'application', find: (clients, selection, concurrency) => findApplication(clients.elbv2, selection, concurrency, clients.v2LoadBalancers?.()) };

/** The sources a run reads when none are given. */
export const DEFAULT_SOURCES: readonly DiscoverySource[] = [CLASSIC_SOURCE, APPLICATION_SOURCE];

/**
 * The sources a run reads: Classic ELBs and ALBs, and CloudFront's origins when asked (the
 * `cloudFront` setting, `scan --cloudfront`).
 *
 * @example
 * discoverySources({ cloudFront: true, probePublicOrigins: false }).map((s) => s.name); // ['classic', 'application', 'cloudfront']
 */
export function discoverySources(options: { readonly cloudFront?: boolean; readonly probePublicOrigins?: boolean }): readonly DiscoverySource[] {
  return options.cloudFront === true ? [...DEFAULT_SOURCES, cloudFrontSource({ probePublicOrigins: options.probePublicOrigins === true })] : DEFAULT_SOURCES;
}
