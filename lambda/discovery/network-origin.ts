/**
 * A Network Load Balancer behind a CloudFront origin (a VPC origin, or a custom one on its DNS
 * name): the listener CloudFront reaches, its TCP idle timeout and the healthy targets it passes
 * CloudFront's connections through to.
 *
 * Why the targets are the backends: an NLB does not pool connections of its own; each of
 * CloudFront's idle connections is a flow held open to one target, which must outlast CloudFront's
 * keep-alive, and so must the listener's TCP idle timeout (after it, the NLB resets the flow).
 */
import {
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { printable } from '../shared/printable';
import { call } from './aws';
import type { FoundBackend } from './found';
import type { Skipped } from './types';

/** The listener attribute that holds an NLB's TCP idle timeout, with its documented range. */
export const NLB_IDLE_TIMEOUT = { key: 'tcp.idle_timeout.seconds', min: 60, max: 6000 } as const;

/**
 * An NLB's TCP idle timeout when the listener does not report the attribute: AWS's default, and
 * the fixed timeout of the listeners it does not apply to (TLS).
 */
export const NLB_DEFAULT_IDLE_TIMEOUT_S = 350;

/** What CloudFront reaches through an NLB: the NLB, its VPC, the listener's idle timeout and the targets. */
export interface NetworkOrigin {
  readonly name: string;
  readonly vpcId?: string;
  readonly listenerPort: number;
  /** The listener's TCP idle timeout; `null` when it could not be read (then `error` says why). */
  readonly idleTimeoutS: number | null;
  readonly backends: readonly FoundBackend[];
  readonly skipped: readonly Skipped[];
  /** A call that failed after the NLB was found: its targets or timeout are then missing. */
  readonly error?: string;
}

/**
 * An NLB's TCP idle timeout from a listener's attributes.
 *
 * @throws Error naming the value and what is accepted
 * @example
 * nlbIdleTimeoutS({ Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '350' }] }); // 350
 */
export function nlbIdleTimeoutS(attributes: { readonly Attributes?: ReadonlyArray<{ Key?: string; Value?: string }> }): number {
  const raw = attributes.Attributes?.find((a) => a.Key === NLB_IDLE_TIMEOUT.key)?.Value;
  if (raw === undefined) return NLB_DEFAULT_IDLE_TIMEOUT_S;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < NLB_IDLE_TIMEOUT.min || value > NLB_IDLE_TIMEOUT.max) {
    throw new Error(`${NLB_IDLE_TIMEOUT.key}=${printable(raw, 20)}: expected a whole number from ${NLB_IDLE_TIMEOUT.min} to ${NLB_IDLE_TIMEOUT.max}`);
  }
  return value;
}

/** The target groups a listener forwards to (a plain forward or weighted ones). */
const forwardedGroups = (listener: Listener): string[] => [
  ...new Set(
    (listener.DefaultActions ?? []).flatMap((action) =>
      action.Type !== 'forward' ? [] : [...(action.TargetGroupArn ? [action.TargetGroupArn] : []), ...(action.ForwardConfig?.TargetGroups ?? []).flatMap((g) => (g.TargetGroupArn ? [g.TargetGroupArn] : []))],
    ),
  ),
];

/**
 * Whether the probe speaks TLS to a target: the group's protocol says so (`TLS`), or a `TCP`
 * listener passes CloudFront's own TLS through to it.
 */
const targetTls = (group: TargetGroup, listener: Listener, cloudFrontTls: boolean) => group.Protocol === 'TLS' || (listener.Protocol !== 'TLS' && cloudFrontTls);

/**
 * The NLB as CloudFront reaches it on `endpoint.port`: its listener's TCP idle timeout and the
 * healthy targets of the groups that listener forwards to, as backends to probe from its VPC. A
 * failing call marks the result with the error, keeping what was read.
 *
 * @example
 * await networkOrigin(elbv2, nlb, { tls: false, port: 80 });
 * // { name: 'tcp', vpcId: 'vpc-1', listenerPort: 80, idleTimeoutS: 350, backends: [{ instanceId: 'i-0a', port: 8080, ... }], skipped: [] }
 */
export async function networkOrigin(client: ElasticLoadBalancingV2Client, nlb: LoadBalancer, endpoint: { readonly tls: boolean; readonly port: number }): Promise<NetworkOrigin> {
  const arn = nlb.LoadBalancerArn;
  const base = { name: printable(nlb.LoadBalancerName ?? String(arn), 64), ...(nlb.VpcId ? { vpcId: nlb.VpcId } : {}), listenerPort: endpoint.port };
  let idleTimeoutS: number | null = null;
  try {
    const listeners = await call('DescribeListeners', client.send(new DescribeListenersCommand({ LoadBalancerArn: arn })));
    const listener = (listeners.Listeners ?? []).find((l) => l.Port === endpoint.port);
    if (listener === undefined) throw new Error(`no listener on port ${endpoint.port}, the port CloudFront's origin reaches it on`);
    idleTimeoutS = nlbIdleTimeoutS(await call('DescribeListenerAttributes', client.send(new DescribeListenerAttributesCommand({ ListenerArn: listener.ListenerArn }))));
    const groupArns = forwardedGroups(listener);
    const groups = groupArns.length === 0 ? [] : ((await call('DescribeTargetGroups', client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: groupArns })))).TargetGroups ?? []);
    const perGroup = await Promise.all(groups.map((group) => groupTargets(client, group, targetTls(group, listener, endpoint.tls))));
    return { ...base, idleTimeoutS, backends: perGroup.flatMap((g) => g.backends), skipped: perGroup.flatMap((g) => g.skipped) };
  } catch (error) {
    return { ...base, idleTimeoutS, backends: [], skipped: [], error: (error as Error).message };
  }
}

/** The healthy targets of one of the NLB's groups; other targets, and groups the probe cannot reach over TCP, skipped with the reason. */
async function groupTargets(client: ElasticLoadBalancingV2Client, group: TargetGroup, tls: boolean): Promise<{ backends: FoundBackend[]; skipped: Skipped[] }> {
  const what = `target group ${printable(String(group.TargetGroupName), 64)}`;
  if (group.TargetType === 'alb' || group.TargetType === 'lambda') return { backends: [], skipped: [{ what, reason: `its targets are ${group.TargetType === 'alb' ? 'Application Load Balancers' : 'Lambda functions'}, not servers holding CloudFront's connections` }] };
  if (group.Protocol === 'UDP') return { backends: [], skipped: [{ what, reason: 'it forwards UDP, which holds no idle TCP connection' }] };
  const [attributes, health] = await Promise.all([
    call('DescribeTargetGroupAttributes', client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: group.TargetGroupArn }))),
    call('DescribeTargetHealth', client.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }))),
  ]);
  // Such targets read a binary header first; a probe without it is answered as CloudFront never is.
  if (attributes.Attributes?.some((a) => a.Key === 'proxy_protocol_v2.enabled' && a.Value === 'true')) {
    return { backends: [], skipped: [{ what, reason: 'its targets expect a PROXY protocol v2 header on each connection, which the probe does not send: probing without it would judge an answer CloudFront never gets' }] };
  }
  const descriptions = health.TargetHealthDescriptions ?? [];
  const path = group.HealthCheckProtocol === 'HTTP' || group.HealthCheckProtocol === 'HTTPS' ? (group.HealthCheckPath ?? '/') : '/';
  const probed = (d: (typeof descriptions)[number]) => d.TargetHealth?.State === 'healthy' && Boolean(d.Target?.Id);
  const backends = descriptions
    .filter(probed)
    .map((d): FoundBackend => ({ ...(group.TargetType === 'ip' ? { ip: d.Target!.Id! } : { instanceId: d.Target!.Id! }), port: d.Target!.Port ?? group.Port!, tls, path, proxyProtocol: false, targetGroup: printable(group.TargetGroupName ?? '-', 64) }));
  const skipped = descriptions
    .filter((d) => !probed(d))
    .map((d) => ({ what: `target ${printable(String(d.Target?.Id), 64)}:${d.Target?.Port ?? group.Port} in ${what}`, reason: `is ${printable(String(d.TargetHealth?.State), 32)}` }));
  return { backends, skipped };
}
