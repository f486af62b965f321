/**
 * Discovery: from a region's load balancers to what the probe must measure.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { listedOnce } from './alb';
import { withDefaults } from '../shared/defaults';
import { clientConfig, meteredClient, type CallCounter } from './aws';
import { CLOUDFRONT_REGION } from './cloudfront';
import { diagnoseReachability } from './diagnose';
import type { RegionClients } from './elsewhere';
import { instanceAddresses, type InstanceAddress } from './ec2';
import { TokenBucket, defaults as pacing } from './pace';
import type { FoundLoadBalancer } from './found';
import { defaults as samplingDefaults, rotationAt, sampleBackends } from './sample';
import type { ProbeSource } from './reachability';
import type { Selection } from './select';
import { DEFAULT_SOURCES, type DiscoveryClients, type DiscoverySource } from './source';
import type { Discovery, LoadBalancerPlan, PlannedBackend } from './types';
import { DEFAULTS } from '../shared/settings';
import { withProtocol } from '../probe/protocol-version';

export { toProbePlan, planKeyOf } from './plan';
export { TAGS, type Selection } from './select';
export type { ProbeSource, Reachability } from './reachability';
export { cloudFrontSource, originFrontName, type CloudFrontSourceOptions } from './cloudfront';
export { APPLICATION_SOURCE, CLASSIC_SOURCE, DEFAULT_SOURCES, discoverySources, type DiscoveryClients, type DiscoverySource, type SourceFindings } from './source';
export * from './types';

/** Defaults of discovery, merged once. */
export const defaults = {
  ...samplingDefaults,
  /** Load balancers described at once: the Describe APIs share a small account-wide token bucket. */
  concurrency: 4,
  /** The schedule period, for the rotation of sampled backends. */
  periodMinutes: DEFAULTS.periodMinutes,
  /** Calls per second per ELB API family (Classic, v2); EC2 gets more, its limits are higher. */
  callsPerSecond: pacing.callsPerSecond,
} as const;

export interface DiscoverOptions extends Selection {
  readonly region: string;
  readonly clients?: DiscoveryClients;
  /** The kinds of front to read. @default DEFAULT_SOURCES: Classic ELBs and ALBs */
  readonly sources?: readonly DiscoverySource[];
  /** @default 2 */
  readonly maxBackendsPerPort?: number;
  /** The rotation, which picks the backends this run samples. @default the index of the current 15-minute period */
  readonly rotation?: number;
  /** @default 4 */
  readonly concurrency?: number;
  /** Calls per second per ELB API family, below the account's refill rate. @default 8 */
  readonly callsPerSecond?: number;
  /**
   * Who the probe is (its security groups, per VPC): each chosen backend's security groups are
   * then read and judged, and a backend they do not admit the probe to is not probed.
   * @default none: no security group is read, reachability is not diagnosed
   */
  readonly probeSources?: readonly ProbeSource[];
}

/**
 * Reads every front of a region that the sources find (Classic and Application Load Balancers
 * by default) and plans what to probe.
 *
 * Why one pass: the Describe APIs share an account-wide token bucket, so a run discovers once,
 * batches tags and instance lookups, and reports the calls it made. A failing call marks its
 * load balancer as an error and never stops the others; only a failing listing throws.
 *
 * @example
 * const discovery = await discover({ region: 'eu-west-1', vpcIds: ['vpc-0a1b2c'] });
 * const plan = toProbePlan(discovery.loadBalancers);
 */
export async function discover(options: DiscoverOptions): Promise<Discovery> {
  const settings = withDefaults(defaults, options);
  const counter: CallCounter = { count: 0 };
  const given = options.clients ?? createClients(options.region);
  // One bucket per API family, as AWS counts them.
  const bucket = (scale: number) => new TokenBucket(settings.callsPerSecond * scale, pacing.burst * scale);
  const elbv2 = meteredClient(given.elbv2, counter, bucket(1));
  const clients: DiscoveryClients = {
    elb: meteredClient(given.elb, counter, bucket(1)),
    elbv2,
    v2LoadBalancers: listedOnce(elbv2),
    ec2: meteredClient(given.ec2, counter, bucket(2.5)),
    ...(given.cloudFront ? { cloudFront: meteredClient(given.cloudFront, counter, bucket(1)) } : {}),
    ...(given.inRegion ? { inRegion: (region: string) => meteredRegion(given.inRegion!(region), counter, bucket(1)) } : {}),
  };

  // Sources that read the others' fronts (CloudFront's origins on load balancers) run after them.
  const sources = options.sources ?? DEFAULT_SOURCES;
  const first = await Promise.all(sources.filter((s) => s.readsFronts !== true).map((source) => source.find(clients, options, settings.concurrency)));
  const firstFronts = first.flatMap((f) => f.found);
  const then = await Promise.all(sources.filter((s) => s.readsFronts === true).map((source) => source.find(clients, options, settings.concurrency, firstFronts)));
  const findings = [...first, ...then];
  const found = findings.flatMap((f) => f.found);
  const instanceIds = found.flatMap((lb) => lb.backends.flatMap((b) => (b.instanceId ? [b.instanceId] : [])));
  let ips: Map<string, InstanceAddress> | Error;
  try {
    ips = instanceIds.length > 0 ? await instanceAddresses(clients.ec2, instanceIds) : new Map();
  } catch (error) {
    ips = error as Error;
  }
  const rotation = options.rotation ?? rotationAt(new Date(), settings.periodMinutes);
  const plans = found.map((lb) => toPlan(lb, ips, settings.maxBackendsPerPort, rotation));
  return {
    region: options.region,
    loadBalancers: options.probeSources?.length ? await diagnoseReachability(clients.ec2, plans, ips instanceof Map ? ips : new Map(), options.probeSources) : plans,
    notCovered: findings.flatMap((f) => f.notCovered),
    excluded: findings.flatMap((f) => f.excluded),
    apiCalls: counter.count,
  };
}

/** Clients for one region with discovery's settings (adaptive retry), with a named profile's credentials when given. */
export function createClients(region: string, profile?: string): Omit<DiscoveryClients, 'v2LoadBalancers'> {
  return {
    elb: new ElasticLoadBalancingClient(clientConfig(region, profile)),
    elbv2: new ElasticLoadBalancingV2Client(clientConfig(region, profile)),
    ec2: new EC2Client(clientConfig(region, profile)),
    cloudFront: new CloudFrontClient(clientConfig(CLOUDFRONT_REGION, profile)),
    inRegion: (other) => ({ elb: new ElasticLoadBalancingClient(clientConfig(other, profile)), elbv2: new ElasticLoadBalancingV2Client(clientConfig(other, profile)) }),
  };
}

/** Another region's ELB clients, counted with the run's calls and paced by their own bucket (AWS counts each region apart). */
function meteredRegion(clients: RegionClients, counter: CallCounter, bucket: TokenBucket): RegionClients {
  return { elb: meteredClient(clients.elb, counter, bucket), elbv2: meteredClient(clients.elbv2, counter, bucket) };
}

/** Resolves addresses and samples the backends of one load balancer. */
function toPlan(lb: FoundLoadBalancer, ips: Map<string, InstanceAddress> | Error, perPort: number, rotation: number): LoadBalancerPlan {
  const needsIps = lb.backends.some((b) => b.instanceId !== undefined);
  const lookupError = ips instanceof Error && needsIps ? ips.message : undefined;
  const resolved: PlannedBackend[] = [];
  const vanished = new Set<string>();
  for (const backend of lb.backends) {
    const address = backend.ip ?? (ips instanceof Map && backend.instanceId ? ips.get(backend.instanceId)?.ip : undefined);
    if (address === undefined) {
      if (backend.instanceId) vanished.add(backend.instanceId);
      continue;
    }
    resolved.push({
      // Apart by protocol: an instance's port in an HTTP/1.1 and in an HTTP/2 target group are two backends to sample and probe.
      id: withProtocol(`${backend.instanceId ?? address}:${backend.port}`, backend.protocolVersion),
      target: { host: address, port: backend.port, tls: backend.tls, path: backend.path, ...(backend.protocolVersion ? { protocolVersion: backend.protocolVersion } : {}) },
      proxyProtocol: backend.proxyProtocol,
      ...(backend.instanceId ? { instanceId: backend.instanceId } : {}),
      ...(backend.targetGroup ? { targetGroup: backend.targetGroup } : {}),
    });
  }
  const { chosen, notSampled } = sampleBackends(resolved, perPort, rotation);
  const error = lb.error ?? lookupError;
  return {
    name: lb.name,
    type: lb.type,
    ...(lb.arn ? { arn: lb.arn } : {}),
    ...(lb.vpcId !== undefined ? { vpcId: lb.vpcId } : {}),
    idleTimeoutS: lb.idleTimeoutS,
    ...(lb.marginS !== undefined ? { marginS: lb.marginS } : {}),
    backends: chosen,
    backendsNotSampled: notSampled,
    skipped: [
      ...lb.skipped,
      ...(lookupError ? [] : [...vanished].map((id) => ({ what: `instance ${id}`, reason: 'is registered but no longer exists (EC2 does not know it)' }))),
    ],
    ...(error !== undefined ? { error } : {}),
    ...(lb.cloudFront !== undefined ? { cloudFront: lb.cloudFront } : {}),
  };
}
