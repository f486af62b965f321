/**
 * What one run probes when its request names it: load balancers, a target group, or targets
 * with their front's idle timeout. Without it, a run covers the stack's configured selection.
 */
import type { DiscoverOptions, DiscoverySource } from '../discovery';
import type { FoundLoadBalancer } from '../discovery/found';
import type { ProtocolVersion } from '../probe/types';

/**
 * A target named by the run request, probed without any AWS lookup.
 *
 * @example
 * const target: SelectedTarget = { host: '10.0.3.17', port: 8080, path: '/health', idleTimeoutS: 60, vpcId: 'vpc-0a1b2c3d' };
 */
export interface SelectedTarget {
  readonly host: string;
  readonly port: number;
  /** A TLS handshake (certificate not verified) before idling. @default false */
  readonly tls?: boolean;
  /** The request path. @default '/' */
  readonly path?: string;
  /**
   * The HTTP version its front speaks to it, as an ALB target group's `ProtocolVersion`: `HTTP2`
   * and `GRPC` targets are probed in HTTP/2 (`GRPC` with a gRPC request).
   * @default 'HTTP1'
   */
  readonly protocolVersion?: ProtocolVersion;
  /** The idle timeout of the front in front of it (e.g. the production load balancer's), judged against. */
  readonly idleTimeoutS: number;
  /** The VPC it is probed from (one the stack has a probe in). @default none: from outside any VPC */
  readonly vpcId?: string;
  /** The front it stands behind, as reports name it; targets of one name, timeout and VPC are judged as one front. @default `host:port` */
  readonly name?: string;
}

/**
 * What a run request may ask to probe, instead of the stack's configured selection: exactly
 * one of load balancers (names or ARNs), one target group (ARN), or targets.
 *
 * Why three: an operator names a load balancer; a deployment gate names the target group its
 * replacement tasks are registered in, or the tasks themselves with the production load
 * balancer's idle timeout.
 *
 * @example
 * const selection: RunSelection = { targetGroup: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/0123456789abcdef' };
 */
export type RunSelection = { readonly loadBalancers: readonly string[] } | { readonly targetGroup: string } | { readonly targets: readonly SelectedTarget[] };

/** The bounds and patterns a run request's selection is checked against (it comes from outside: an operator, a hook). */
export const RUN_SELECTION = {
  maxLoadBalancers: 20,
  maxTargets: 100,
  /** A load balancer's name (1 to 32 letters, digits and hyphens), or its ARN. */
  loadBalancer: {
    pattern: /^(?:[A-Za-z0-9-]{1,32}|arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]{1,32}:\d{12}:loadbalancer\/(?:app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}|[A-Za-z0-9-]{1,32}))$/,
    expected: 'a load balancer name (1 to 32 letters, digits, hyphens) or its ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID, or .../loadbalancer/NAME for a Classic ELB)',
  },
  frontName: { pattern: /^[\x21-\x7e]{1,128}$/, expected: 'up to 128 visible ASCII characters' },
} as const;

/**
 * The discovery a selected run makes: the configured VPCs (where the probes are) with the
 * request's load balancers or target group in place of the configured names and tags; or, for
 * targets, one source that returns them as fronts, all of them probed (no sampling, no AWS call).
 *
 * @example
 * discoverOptionsFor({ loadBalancers: ['web'] }, { region: 'eu-west-1', vpcIds: ['vpc-0a'], tags: ['team=a'] });
 * // { region: 'eu-west-1', vpcIds: ['vpc-0a'], names: ['web'] }
 */
export function discoverOptionsFor(selection: RunSelection | undefined, configured: DiscoverOptions): DiscoverOptions {
  if (selection === undefined) return configured;
  // The request's selection replaces the configured names, tags and target groups; the VPCs stay (the probes are there).
  const place: DiscoverOptions = { ...configured, names: undefined, tags: undefined, targetGroupArns: undefined };
  if ('loadBalancers' in selection) return { ...place, names: selection.loadBalancers };
  if ('targetGroup' in selection) return { ...place, targetGroupArns: [selection.targetGroup] };
  const vpcIds = configured.vpcIds ?? [];
  const elsewhere = selection.targets.findIndex((t) => t.vpcId !== undefined && vpcIds.length > 0 && !vpcIds.includes(t.vpcId));
  if (elsewhere >= 0) {
    throw new Error(`selection.targets[${elsewhere}].vpcId: ${selection.targets[elsewhere].vpcId} is not a VPC this stack probes in (${vpcIds.join(', ')}): give one of them, or none to probe from outside any VPC`);
  }
  return { ...place, sources: [targetsSource(selection.targets)], maxBackendsPerPort: selection.targets.length };
}

/**
 * The named targets as fronts: one per name, idle timeout and VPC.
 *
 * @example
 * await targetsSource([{ host: '10.0.3.17', port: 8080, idleTimeoutS: 60 }]).find(clients, {}, 4);
 * // { found: [{ name: '10.0.3.17:8080', type: 'probe', idleTimeoutS: 60, backends: [...] }], excluded: [], notCovered: [] }
 */
export function targetsSource(targets: readonly SelectedTarget[]): DiscoverySource {
  return {
    name: 'targets',
    find: async () => {
      const fronts = new Map<string, FoundLoadBalancer & { backends: FoundLoadBalancer['backends'][number][] }>();
      for (const target of targets) {
        const name = target.name ?? `${target.host}:${target.port}`;
        const key = JSON.stringify([name, target.idleTimeoutS, target.vpcId ?? null]);
        const front = fronts.get(key) ?? { name, type: 'probe' as const, ...(target.vpcId !== undefined ? { vpcId: target.vpcId } : {}), idleTimeoutS: target.idleTimeoutS, backends: [], skipped: [] };
        const version = target.protocolVersion ?? 'HTTP1';
        front.backends.push({ ip: target.host, port: target.port, tls: target.tls ?? false, path: target.path ?? '/', proxyProtocol: false, ...(version !== 'HTTP1' ? { protocolVersion: version } : {}) });
        fronts.set(key, front);
      }
      return { found: [...fronts.values()], excluded: [], notCovered: [] };
    },
  };
}

/**
 * The selection in a few words, for the logs and the summary.
 *
 * @example
 * describeSelection({ targetGroup: 'arn:...:targetgroup/web-green/0123' }); // 'target group arn:...:targetgroup/web-green/0123'
 */
export function describeSelection(selection: RunSelection): string {
  if ('loadBalancers' in selection) return `load balancers ${selection.loadBalancers.join(', ')}`;
  if ('targetGroup' in selection) return `target group ${selection.targetGroup}`;
  return `${selection.targets.length} target(s)`;
}
