/**
 * What discovery hands to the probe and to the judge: load balancers, their idle timeouts
 * and the backends to probe for them.
 */
import type { ProbeJob, ProbeTarget } from '../probe/types';
import type { Reachability } from './reachability';

/**
 * `probe`: targets a run request named, judged against the idle timeout it gave (no AWS lookup).
 * `cloudfront`: one origin of a CloudFront distribution, whose idle timeout is the origin's keep-alive.
 */
export type LoadBalancerType = 'classic' | 'application' | 'probe' | 'cloudfront';

/**
 * What a CloudFront origin is, as discovery judges it: a load balancer of the account (a
 * configuration check, no probe), an EC2 instance behind a VPC origin (probed from its VPC), a
 * Network Load Balancer behind a VPC origin (its targets probed from its VPC, its TCP idle timeout
 * checked), or a custom origin on the internet (probed from outside any VPC only when
 * `probePublicOrigins` is on); `unknown`: a VPC origin whose endpoint could not be read (not checked).
 */
export type CloudFrontOriginKind = 'load-balancer' | 'instance' | 'network-load-balancer' | 'public' | 'unknown';

/** A CloudFront origin, as the front that stands for it carries it into verdicts and reports. */
export interface CloudFrontOrigin {
  readonly distributionId: string;
  readonly originId: string;
  /** The origin's domain name (a custom origin's) or the VPC origin's endpoint ARN. */
  readonly domainName: string;
  /** CloudFront's `OriginKeepaliveTimeout` for this origin, in seconds: how long it reuses an idle connection. */
  readonly keepAliveS: number;
  readonly kind: CloudFrontOriginKind;
  /** The VPC origin's id, when the origin is one. */
  readonly vpcOriginId?: string;
  /**
   * A `load-balancer` origin: the load balancer discovery found, with its idle timeout (`null` when
   * it could not be read); `region` when it was looked up in another region than the run's (its
   * backends are then judged by a run there).
   */
  readonly loadBalancer?: { readonly name: string; readonly type: LoadBalancerType; readonly arn?: string; readonly idleTimeoutS: number | null; readonly region?: string };
  /**
   * A `network-load-balancer` origin: the NLB CloudFront's connections pass through, with the TCP
   * idle timeout of the listener CloudFront reaches (`tcp.idle_timeout.seconds`; `null` when it could
   * not be read), which must outlast the keep-alive as the targets must.
   */
  readonly networkLoadBalancer?: { readonly name: string; readonly arn: string; readonly listenerPort: number; readonly idleTimeoutS: number | null };
}

/** How reports and verdicts show the VPC of a front probed from outside any VPC, as they show a target probed by hand. */
export const OUTSIDE_ANY_VPC = '-';

/**
 * The plan file name (`plans/RUN/outside-vpc.json`) of a large run's items probed from outside
 * any VPC, which the Distributed Map of the probe function outside any VPC reads
 * (`probePublicOrigins`). Without that function no map reads it: its items get no result and are
 * judged probe errors, never a pass. Here, beside the VPC's marker, so that the construct reads
 * it without loading the run's S3 code.
 */
export const OUTSIDE_VPC_PLAN = 'outside-vpc';

/** A backend a load balancer sends traffic to, as the probe must reach it. */
export interface PlannedBackend {
  /**
   * Stable identity across runs: `instanceId:port` or `ip:port`, followed by the protocol when
   * the load balancer speaks HTTP/2 to it (`10.0.1.5:8443 (HTTP/2)`, `i-0abc:50051 (gRPC)`).
   */
  readonly id: string;
  readonly target: ProbeTarget;
  /** The backend port expects a PROXY protocol v1 header before the request. */
  readonly proxyProtocol: boolean;
  readonly instanceId?: string;
  /** ALB: the target group's name. */
  readonly targetGroup?: string;
  /** What the backend's security groups say about the probe; absent when they were not read. */
  readonly reachability?: Reachability;
}

/** Something not probed, and why, in plain words. */
export interface Skipped {
  /** e.g. `listener TCP:443->443`, `instance i-0abc`, `target group api-tg`, `target arn:...:function:fn`. */
  readonly what: string;
  readonly reason: string;
}

/**
 * One front, ready to probe: something that pools connections to its backends (a load balancer
 * today), with its idle timeout, its backends and where they can be probed from.
 */
export interface LoadBalancerPlan {
  readonly name: string;
  readonly type: LoadBalancerType;
  /** ARN for ALBs; Classic ELBs have none. */
  readonly arn?: string;
  /**
   * Where its backends are probed from: the VPC whose probe function reaches them; absent when
   * they are probed from outside any VPC (a probe function without VPC configuration).
   */
  readonly vpcId?: string;
  /** The idle timeout in seconds; `null` when it could not be read (then `error` says why). */
  readonly idleTimeoutS: number | null;
  /** Headroom below which a phase fails, from the `idle-canary:margin` tag. */
  readonly marginS?: number;
  /** Backends chosen for this run (sampled and rotated). */
  readonly backends: readonly PlannedBackend[];
  /** Healthy backends that exist but were not chosen this run. */
  readonly backendsNotSampled: number;
  readonly skipped: readonly Skipped[];
  /** Set when an AWS call failed for this load balancer: it is reported as an error, the others go on. */
  readonly error?: string;
  /** A CloudFront origin (`type` `cloudfront`): its distribution, origin, keep-alive and what it is. */
  readonly cloudFront?: CloudFrontOrigin;
}

/** A load balancer idle-canary does not cover (NLB, GWLB), with the reason. */
export interface NotCovered {
  readonly name: string;
  readonly type: string;
  readonly reason: string;
  /** A CloudFront origin not probed: its distribution, origin and keep-alive. */
  readonly cloudFront?: CloudFrontOrigin;
  /** The command that probes it by hand (a public CloudFront origin while `probePublicOrigins` is off). */
  readonly command?: string;
}

/** The outcome of discovery in one region. */
export interface Discovery {
  readonly region: string;
  readonly loadBalancers: readonly LoadBalancerPlan[];
  readonly notCovered: readonly NotCovered[];
  /** Load balancers left out by selection (VPC, name, tag) or opted out by tag. */
  readonly excluded: readonly NotCovered[];
  /** AWS API calls made, for the Describe budget. */
  readonly apiCalls: number;
}

/**
 * One probe job per distinct backend: a backend shared by several load balancers is probed
 * once, against the longest of their idle timeouts.
 */
export interface ProbePlanItem {
  /** Address, port, protocol, path and proxy header (`planKeyOf`): what makes two backends one probe. */
  readonly key: string;
  readonly job: ProbeJob;
  /** Names of the load balancers this backend serves. */
  readonly loadBalancers: readonly string[];
}
