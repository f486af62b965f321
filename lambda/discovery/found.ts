/**
 * Load balancers as the listing found them, before instance ids are turned into addresses.
 */
import type { ProtocolVersion } from '../probe/types';
import type { LoadBalancerPlan } from './types';

/** A backend as a load balancer names it: an instance id or an IP address. */
export interface FoundBackend {
  readonly instanceId?: string;
  readonly ip?: string;
  readonly port: number;
  readonly tls: boolean;
  readonly path: string;
  readonly proxyProtocol: boolean;
  readonly targetGroup?: string;
  /** The HTTP version the load balancer speaks to it, when not HTTP/1.1 (an ALB target group's `ProtocolVersion`). */
  readonly protocolVersion?: ProtocolVersion;
}

/** A load balancer as found: like its plan, with backends not yet resolved nor sampled. */
export interface FoundLoadBalancer extends Omit<LoadBalancerPlan, 'backends' | 'backendsNotSampled'> {
  readonly backends: readonly FoundBackend[];
  /** The DNS name AWS gave the load balancer: what a CloudFront custom origin names it by. */
  readonly dnsName?: string;
}

/**
 * A load balancer whose details could not be read: reported as an error, never dropped, and
 * with its idle timeout only if that was read (never a made-up default).
 */
export function failed(base: Pick<FoundLoadBalancer, 'name' | 'type' | 'vpcId'> & { arn?: string }, error: unknown, idleTimeoutS: number | null = null): FoundLoadBalancer {
  return { ...base, idleTimeoutS, backends: [], skipped: [], error: (error as Error).message };
}
