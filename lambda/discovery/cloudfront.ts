/**
 * CloudFront as a discovery source: every origin of the account's distributions that keeps idle
 * connections (custom origins and VPC origins), each as a front whose idle timeout is CloudFront's
 * origin keep-alive.
 */
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetVpcOriginCommand,
  ListVpcOriginsCommand,
  paginateListDistributions,
  type DistributionSummary,
  type Origin,
  type OriginProtocolPolicy,
  type VpcOriginSummary,
} from '@aws-sdk/client-cloudfront';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client, LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { printable } from '../shared/printable';
import { listedOnce } from './alb';
import { allPages, call, mapLimit } from './aws';
import { instanceAddresses, type InstanceAddress } from './ec2';
import { isLoadBalancerDomain, loadBalancerRegion, regionLookup, sameDnsName, type LoadBalancerReference } from './elsewhere';
import type { FoundLoadBalancer } from './found';
import { networkOrigin } from './network-origin';
import type { Selection } from './select';
import type { DiscoverySource, SourceFindings } from './source';
import type { CloudFrontOrigin, NotCovered } from './types';

/** CloudFront's API is global, served from us-east-1. */
export const CLOUDFRONT_REGION = 'us-east-1';

/** CloudFront's origin keep-alive when a custom origin does not set `OriginKeepaliveTimeout`. */
export const DEFAULT_ORIGIN_KEEPALIVE_S = 5;

/**
 * What CloudFront accepts as `OriginKeepaliveTimeout`: 1 to 60 s, up to 180 s with a quota
 * increase. Every such keep-alive's probe fits a probe function (180 s: 545 s at worst, of 801 s;
 * `lambda/run/route.ts`), so a public origin is never left to the long probe, which runs only
 * inside VPCs; a value outside is CloudFront's error, reported on the origin, never probed for.
 */
export const ORIGIN_KEEPALIVE_RANGE = { min: 1, max: 180 } as const;

/** Whether a keep-alive read from CloudFront is one it accepts. */
const validKeepAlive = (s: number) => Number.isInteger(s) && s >= ORIGIN_KEEPALIVE_RANGE.min && s <= ORIGIN_KEEPALIVE_RANGE.max;

/** Bounds on what is read: pages of `ListDistributions` (100 each) and of `ListVpcOrigins`. */
const MAX_PAGES = 100;

/**
 * The front's name for one origin: `cloudfront/DISTRIBUTION/ORIGIN`, what reports show and what
 * the `LoadBalancer` dimension carries (a `/` keeps it apart from any Classic ELB's name).
 *
 * @example
 * originFrontName('E123ABC', 'api-origin'); // 'cloudfront/E123ABC/api-origin'
 */
export function originFrontName(distributionId: string, originId: string): string {
  return `cloudfront/${printable(distributionId, 40)}/${printable(originId, 128)}`;
}

/**
 * The load balancer a domain name is the DNS name of, among those discovery found: case-insensitive,
 * with or without the `dualstack.` prefix CloudFront users often give.
 *
 * @example
 * loadBalancerByDomain('DualStack.api-1.eu-west-1.elb.amazonaws.com', fronts); // the ALB named api
 */
export function loadBalancerByDomain(domain: string, fronts: readonly FoundLoadBalancer[]): FoundLoadBalancer | undefined {
  return fronts.find((lb) => lb.dnsName !== undefined && sameDnsName(lb.dnsName, domain));
}

/** The scheme and port CloudFront reaches an origin with: HTTPS unless it only speaks HTTP (`match-viewer` reaches it in HTTPS for HTTPS viewers). */
function originEndpoint(config: { HTTPPort?: number; HTTPSPort?: number; OriginProtocolPolicy?: OriginProtocolPolicy | string }): { tls: boolean; port: number } {
  const tls = config.OriginProtocolPolicy !== 'http-only';
  return { tls, port: (tls ? config.HTTPSPort : config.HTTPPort) ?? (tls ? 443 : 80) };
}

/**
 * The command that probes a public origin by hand, against CloudFront's keep-alive.
 *
 * @example
 * probeCommand('origin.example.com', { tls: true, port: 443 }, 5); // 'idle-canary probe https://origin.example.com:443/ --lb-idle-timeout 5'
 */
export function probeCommand(domain: string, endpoint: { tls: boolean; port: number }, keepAliveS: number): string {
  return `idle-canary probe ${endpoint.tls ? 'https' : 'http'}://${printable(domain, 253)}:${endpoint.port}/ --lb-idle-timeout ${keepAliveS}`;
}

/** Options of the CloudFront source. */
export interface CloudFrontSourceOptions {
  /** Probe custom origins on the internet from outside any VPC (it sends them traffic). @default false */
  readonly probePublicOrigins?: boolean;
}

/**
 * The CloudFront source: reads the distributions once the load balancers are found, so that an
 * origin that is one of them is checked against it rather than probed.
 *
 * Why opt-in: the API is global (one more client, three more IAM actions), and a public origin
 * is the user's endpoint on the internet.
 *
 * @example
 * await discover({ region: 'eu-west-1', sources: [...DEFAULT_SOURCES, cloudFrontSource({ probePublicOrigins: false })] });
 */
export function cloudFrontSource(options: CloudFrontSourceOptions = {}): DiscoverySource {
  return {
    name: 'cloudfront',
    readsFronts: true,
    find: async (clients, selection, concurrency, fronts = []) => {
      // Like a failing call: one front with the error, the load balancers go on.
      if (clients.cloudFront === undefined) return { found: [listingFailed('cloudfront', new Error('no CloudFront client was given to discovery'))], excluded: [], notCovered: [] };
      const lookups = new Map<string, Lookup>();
      const lookupIn = (region: string): Lookup | undefined => {
        if (clients.inRegion === undefined) return undefined;
        if (!lookups.has(region)) lookups.set(region, regionLookup(clients.inRegion(region)));
        return lookups.get(region);
      };
      const v2LoadBalancers = clients.v2LoadBalancers ?? listedOnce(clients.elbv2);
      const sourceClients: CloudFrontClients = { cloudFront: clients.cloudFront, ec2: clients.ec2, elbv2: clients.elbv2, region: await clients.elbv2.config.region(), lookupIn, v2LoadBalancers };
      const findings = await findCloudFront(sourceClients, fronts, { vpcIds: selection.vpcIds ?? [], probePublicOrigins: options.probePublicOrigins === true, concurrency });
      return narrowed(findings, selection);
    },
  };
}

/**
 * With load balancers, tags or target groups selected (a deployment's run), only the origins on a
 * selected load balancer, or named themselves (`cloudfront/DISTRIBUTION/ORIGIN` or the
 * distribution's id), stay: a gate on one service must not be failed by another's origin.
 */
function narrowed(findings: SourceFindings, selection: Selection): SourceFindings {
  const names = selection.names ?? [];
  if (names.length + (selection.tags?.length ?? 0) + (selection.targetGroupArns?.length ?? 0) === 0) return findings;
  // An origin on a load balancer of this region is on a selected one (the fronts it was matched against were selected); one elsewhere is not.
  const onSelected = (origin: CloudFrontOrigin | undefined) => origin?.loadBalancer !== undefined && origin.loadBalancer.region === undefined;
  const named = (lb: { name: string; cloudFront?: CloudFrontOrigin }) => onSelected(lb.cloudFront) || names.includes(lb.name) || (lb.cloudFront !== undefined && names.includes(lb.cloudFront.distributionId));
  const leftOut = (lb: { name: string; cloudFront?: CloudFrontOrigin }): NotCovered => ({ name: lb.name, type: 'cloudfront', reason: 'left out by the selection (neither on a selected load balancer nor named)', ...(lb.cloudFront ? { cloudFront: lb.cloudFront } : {}) });
  return {
    found: findings.found.filter(named),
    excluded: [...findings.excluded, ...findings.found.filter((lb) => !named(lb)).map(leftOut), ...findings.notCovered.filter((lb) => !named(lb)).map(leftOut)],
    notCovered: findings.notCovered.filter(named),
  };
}

/** Finds load balancers of one other region (`regionLookup`). */
type Lookup = (reference: LoadBalancerReference) => Promise<FoundLoadBalancer | undefined>;

/** What the source calls: CloudFront, EC2 and ELB of the run's region, and the load balancers of other regions. */
interface CloudFrontClients {
  readonly cloudFront: CloudFrontClient;
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** The run's region: a load balancer origin elsewhere is looked up in its own. */
  readonly region: string;
  /** `undefined` when discovery was given no clients for other regions. */
  readonly lookupIn: (region: string) => Lookup | undefined;
  /** The run's region's ELBv2 load balancers, listed once for the run (`DiscoveryClients.v2LoadBalancers`). */
  readonly v2LoadBalancers: () => Promise<LoadBalancer[]>;
}

/** One origin as the distribution lists it, with its keep-alive. */
interface ListedOrigin {
  readonly distributionId: string;
  readonly origin: Origin;
  readonly keepAliveS: number;
}

/**
 * What the distributions' origins are, as fronts to check or probe and as origins not probed.
 * A failing listing gives one front with the error (never thrown: the load balancers stay).
 */
async function findCloudFront(
  clients: CloudFrontClients,
  fronts: readonly FoundLoadBalancer[],
  options: { vpcIds: readonly string[]; probePublicOrigins: boolean; concurrency: number },
): Promise<SourceFindings> {
  let distributions: DistributionSummary[];
  try {
    distributions = await allPages('ListDistributions', paginateListDistributions({ client: clients.cloudFront, pageSize: 100, stopOnSameToken: true }, {}), (page) => page.DistributionList?.Items);
  } catch (error) {
    return { found: [listingFailed('cloudfront', error)], excluded: [], notCovered: [] };
  }
  const complete = await mapLimit(distributions.slice(0, MAX_PAGES * 100), options.concurrency, (d) => withOrigins(clients.cloudFront, d));
  const failedReads = complete.filter((d): d is Error => d instanceof Error).map((error) => listingFailed(`cloudfront/${printable(error.message.split(' ')[0], 40)}`, error));
  const listed = complete.filter((d): d is DistributionSummary => !(d instanceof Error)).flatMap((d) =>
    (d.Origins?.Items ?? []).flatMap((origin): ListedOrigin[] => {
      const keepAliveS = origin.CustomOriginConfig?.OriginKeepaliveTimeout ?? origin.VpcOriginConfig?.OriginKeepaliveTimeout ?? DEFAULT_ORIGIN_KEEPALIVE_S;
      return origin.CustomOriginConfig || origin.VpcOriginConfig ? [{ distributionId: d.Id!, origin, keepAliveS }] : [];
    }),
  );
  const origins = listed.filter((o) => validKeepAlive(o.keepAliveS));
  const badKeepAlives = listed
    .filter((o) => !validKeepAlive(o.keepAliveS))
    .map((o) => listingFailed(originFrontName(o.distributionId, o.origin.Id ?? '-'), new Error(`OriginKeepaliveTimeout=${printable(String(o.keepAliveS), 20)}: expected a whole number from ${ORIGIN_KEEPALIVE_RANGE.min} to ${ORIGIN_KEEPALIVE_RANGE.max} (seconds)`)));
  const custom = origins.filter((o) => o.origin.CustomOriginConfig !== undefined);
  const viaVpc = origins.filter((o) => o.origin.VpcOriginConfig !== undefined);
  const vpcFindings = viaVpc.length > 0 ? await vpcOriginFronts(clients, viaVpc, fronts, options) : { found: [], excluded: [], notCovered: [] };
  const customFindings = await mapLimit(custom, options.concurrency, (o) => customOriginFront(clients, o, fronts, options.probePublicOrigins));
  // Origins in one failing region share its failed call: one front for it.
  const all = [...failedReads, ...badKeepAlives, ...customFindings.flatMap((f) => f.found ?? []), ...vpcFindings.found];
  const found = all.filter((f, i) => f.error === undefined || f.cloudFront !== undefined || all.findIndex((g) => g.name === f.name) === i);
  // What is probed from a VPC is probed only from a selected one; a check without a probe needs none.
  const withinSelectedVpcs = (f: FoundLoadBalancer) => f.error !== undefined || f.vpcId === undefined || f.backends.length === 0 || options.vpcIds.length === 0 || options.vpcIds.includes(f.vpcId);
  const kept = found.filter(withinSelectedVpcs);
  const leftOut = found.filter((f) => !withinSelectedVpcs(f)).map((f): NotCovered => ({ name: f.name, type: 'cloudfront', reason: `its ${f.cloudFront?.kind === 'instance' ? 'instance' : 'targets'} ${f.cloudFront?.kind === 'instance' ? 'is' : 'are'} in ${printable(String(f.vpcId), 64)}, not in the selected VPCs`, ...(f.cloudFront ? { cloudFront: f.cloudFront } : {}) }));
  return {
    found: kept,
    excluded: [...customFindings.flatMap((f) => (f.excluded ? [f.excluded] : [])), ...vpcFindings.excluded, ...leftOut],
    notCovered: [...customFindings.flatMap((f) => (f.notCovered ? [f.notCovered] : [])), ...vpcFindings.notCovered],
  };
}

/**
 * A distribution with its origins: as listed, or, when the summary leaves them out (moto's does;
 * AWS's carries them), read with `GetDistribution`; a failing read is an error naming the distribution.
 */
async function withOrigins(client: CloudFrontClient, summary: DistributionSummary): Promise<DistributionSummary | Error> {
  if (summary.Origins !== undefined) return summary;
  try {
    const output = await call('GetDistribution', client.send(new GetDistributionCommand({ Id: summary.Id })));
    return { ...summary, Origins: output.Distribution?.DistributionConfig?.Origins };
  } catch (error) {
    return new Error(`${printable(summary.Id ?? '-', 40)} ${(error as Error).message}`);
  }
}

/** The identity of an origin's front, and its origin as verdicts carry it. */
function originOf(listed: ListedOrigin, kind: CloudFrontOrigin['kind'], domainName: string, vpcOriginId?: string): { name: string; cloudFront: CloudFrontOrigin } {
  return {
    name: originFrontName(listed.distributionId, listed.origin.Id ?? '-'),
    cloudFront: { distributionId: printable(listed.distributionId, 40), originId: printable(listed.origin.Id ?? '-', 128), domainName: printable(domainName, 512), keepAliveS: listed.keepAliveS, kind, ...(vpcOriginId ? { vpcOriginId: printable(vpcOriginId, 64) } : {}) },
  };
}

/**
 * A front checked without a probe: the origin is a load balancer discovery found, so the hop to
 * judge is CloudFront's keep-alive against its idle timeout.
 */
function loadBalancerCheck(listed: ListedOrigin, lb: FoundLoadBalancer, domainName: string, vpcOriginId?: string, region?: string): FoundLoadBalancer {
  const { name, cloudFront } = originOf(listed, 'load-balancer', domainName, vpcOriginId);
  return {
    name,
    type: 'cloudfront',
    vpcId: lb.vpcId,
    idleTimeoutS: listed.keepAliveS,
    backends: [],
    skipped: [],
    cloudFront: { ...cloudFront, loadBalancer: { name: printable(lb.name, 64), type: lb.type, ...(lb.arn ? { arn: lb.arn } : {}), idleTimeoutS: lb.idleTimeoutS, ...(region ? { region } : {}) } },
  };
}

/** A load balancer origin of the run's region that this run did not discover: left out by the selection, or gone. */
function loadBalancerLeftOut(listed: ListedOrigin, what: string, vpcOriginId?: string): NotCovered {
  const { name, cloudFront } = originOf(listed, 'load-balancer', what, vpcOriginId);
  return { name, type: 'cloudfront', reason: `its origin is load balancer ${printable(what, 300)}, which this run did not discover (left out by the selection, or it no longer exists)`, cloudFront };
}

/** What one origin gives: a front to judge, an origin left out, one not checked, or an error front for a failed call. */
interface OriginFindings {
  readonly found?: readonly FoundLoadBalancer[];
  readonly excluded?: NotCovered;
  readonly notCovered?: NotCovered;
}

/**
 * An origin not checked because a call failed (or what it points at is unknown): listed with the
 * reason, its kind as far as it is known, never guessed; the failed call is also one front with
 * the error (`failedCall`), so the run is not a pass.
 */
function notChecked(listed: ListedOrigin, kind: CloudFrontOrigin['kind'], what: string, reason: string, vpcOriginId?: string): NotCovered {
  const { name, cloudFront } = originOf(listed, kind, what, vpcOriginId);
  return { name, type: 'cloudfront', reason: `not checked: ${reason}`, cloudFront };
}

/**
 * A load balancer origin in another region than the run's, looked up there by ARN or DNS name
 * and checked against CloudFront's keep-alive; when the lookup fails or finds nothing, not
 * checked, with the reason.
 */
async function loadBalancerInRegion(clients: CloudFrontClients, listed: ListedOrigin, region: string, reference: LoadBalancerReference, vpcOriginId?: string): Promise<OriginFindings> {
  const what = 'arn' in reference ? reference.arn : reference.dnsName;
  const lookup = clients.lookupIn(region);
  if (lookup === undefined) return { notCovered: notChecked(listed, 'load-balancer', what, `load balancer ${printable(what, 300)} is in ${region}, and this run was given no clients for other regions: run in ${region} to check it`, vpcOriginId) };
  try {
    const lb = await lookup(reference);
    if (lb) return { found: [loadBalancerCheck(listed, lb, what, vpcOriginId, region)] };
    return { notCovered: notChecked(listed, 'load-balancer', what, `no Application or Classic Load Balancer of ${region} is ${printable(what, 300)}`, vpcOriginId) };
  } catch (error) {
    return { notCovered: notChecked(listed, 'load-balancer', what, `looking up load balancer ${printable(what, 300)} in ${region} failed: ${(error as Error).message}`, vpcOriginId), found: [failedCall(`elb/${region}`, error)] };
  }
}

/**
 * A custom origin on a load balancer's DNS name of the run's region that is none of its fronts:
 * a Network Load Balancer (its targets probed from its VPC, at the origin's port), else one left
 * out by the selection.
 */
async function networkOfThisRegion(clients: CloudFrontClients, listed: ListedOrigin, domain: string): Promise<OriginFindings> {
  let nlb: LoadBalancer | undefined;
  try {
    nlb = (await clients.v2LoadBalancers()).find((lb) => lb.Type === 'network' && lb.DNSName !== undefined && sameDnsName(lb.DNSName, domain));
  } catch (error) {
    return { notCovered: notChecked(listed, 'load-balancer', domain, `looking up load balancer ${printable(domain, 300)} in ${clients.region} failed: ${(error as Error).message}`), found: [failedCall(`elb/${clients.region}`, error)] };
  }
  if (nlb === undefined) return { excluded: loadBalancerLeftOut(listed, domain) };
  return { found: [await networkOriginFront(clients, listed, nlb, Promise.resolve(originEndpoint(listed.origin.CustomOriginConfig!)))] };
}

/** A custom origin: a load balancer of the account (checked, in its own region), or an endpoint on the internet (probed only when asked). */
async function customOriginFront(clients: CloudFrontClients, listed: ListedOrigin, fronts: readonly FoundLoadBalancer[], probePublic: boolean): Promise<OriginFindings> {
  const domain = listed.origin.DomainName ?? '';
  const lb = loadBalancerByDomain(domain, fronts);
  if (lb) return { found: [loadBalancerCheck(listed, lb, domain)] };
  if (isLoadBalancerDomain(domain)) {
    const region = loadBalancerRegion(domain);
    if (region === undefined || region === clients.region) return networkOfThisRegion(clients, listed, domain);
    return loadBalancerInRegion(clients, listed, region, { dnsName: domain });
  }
  const { name, cloudFront } = originOf(listed, 'public', domain);
  const endpoint = originEndpoint(listed.origin.CustomOriginConfig!);
  if (!probePublic) {
    return { notCovered: { name, type: 'cloudfront', reason: `public origin ${cloudFront.domainName}: not probed (probePublicOrigins is off: probing sends traffic to your public endpoint); probe it by hand`, command: probeCommand(domain, endpoint, listed.keepAliveS), cloudFront } };
  }
  return {
    found: [
      {
        name,
        type: 'cloudfront',
        idleTimeoutS: listed.keepAliveS,
        backends: [{ ip: cloudFront.domainName, port: endpoint.port, tls: endpoint.tls, path: '/', proxyProtocol: false }],
        skipped: [],
        cloudFront,
      },
    ],
  };
}

/** The resource part of an ARN: `loadbalancer/app/NAME/ID`, `instance/i-0abc`. */
const arnResource = (arn: string) => arn.split(':').slice(5).join(':');

/**
 * VPC origins: each distribution origin's VPC origin is looked up (its endpoint ARN), then
 * checked against its load balancer, or probed on its instance or on its Network Load Balancer's
 * targets. A failing `ListVpcOrigins` leaves every VPC origin not checked (what each points at is
 * unknown), with one front for the failed call.
 */
async function vpcOriginFronts(clients: CloudFrontClients, origins: readonly ListedOrigin[], fronts: readonly FoundLoadBalancer[], options: { concurrency: number }): Promise<SourceFindings> {
  let summaries: Map<string, VpcOriginSummary>;
  try {
    summaries = await listVpcOrigins(clients.cloudFront);
  } catch (error) {
    const reason = (vpcOriginId: string) => `what VPC origin ${printable(vpcOriginId, 64)} points at is unknown: ${(error as Error).message}`;
    return { found: [failedCall('vpc-origins', error)], excluded: [], notCovered: origins.map((o) => notChecked(o, 'unknown', vpcOriginIdOf(o), reason(vpcOriginIdOf(o)), vpcOriginIdOf(o))) };
  }
  const endpoints = new Map<string, Promise<{ tls: boolean; port: number }>>();
  const endpointOf = (id: string) => {
    if (!endpoints.has(id)) endpoints.set(id, call('GetVpcOrigin', clients.cloudFront.send(new GetVpcOriginCommand({ Id: id }))).then((o) => originEndpoint(o.VpcOrigin?.VpcOriginEndpointConfig ?? {})));
    return endpoints.get(id)!;
  };
  const onInstances: Array<{ listed: ListedOrigin; summary: VpcOriginSummary; instanceId: string }> = [];
  const perOrigin = await mapLimit(origins, options.concurrency, async (listed): Promise<OriginFindings> => {
    const vpcOriginId = vpcOriginIdOf(listed);
    const summary = summaries.get(vpcOriginId);
    const arn = summary?.OriginEndpointArn ?? '';
    const resource = arnResource(arn);
    const region = loadBalancerRegion(arn);
    if (summary === undefined) return { notCovered: notChecked(listed, 'unknown', vpcOriginId, `VPC origin ${printable(vpcOriginId, 64)} is not among those ListVpcOrigins returned`, vpcOriginId) };
    if (resource.startsWith('loadbalancer/')) {
      const lb = fronts.find((f) => f.arn === arn);
      if (lb) return { found: [loadBalancerCheck(listed, lb, arn, vpcOriginId)] };
      if (region !== undefined && region !== clients.region) {
        if (!resource.startsWith('loadbalancer/net/')) return loadBalancerInRegion(clients, listed, region, { arn }, vpcOriginId);
        return { excluded: { ...originOf(listed, 'network-load-balancer', arn, vpcOriginId), type: 'cloudfront', reason: `its VPC origin is Network Load Balancer ${printable(arn, 300)} in ${region}: its targets are probed from their VPC, by a run in that region` } };
      }
      return loadBalancerOfThisRegion(clients, listed, summary, arn, endpointOf);
    }
    if (resource.startsWith('instance/')) {
      onInstances.push({ listed, summary, instanceId: resource.slice('instance/'.length) });
      return {};
    }
    return { excluded: { ...originOf(listed, 'unknown', arn, vpcOriginId), type: 'cloudfront', reason: `its VPC origin's endpoint ${printable(arn, 300)} is neither a load balancer nor an instance` } };
  });
  const found = [...perOrigin.flatMap((f) => f.found ?? []), ...(await instanceOrigins(clients, onInstances, endpointOf))];
  return {
    found,
    excluded: perOrigin.flatMap((f) => (f.excluded ? [f.excluded] : [])),
    notCovered: perOrigin.flatMap((f) => (f.notCovered ? [f.notCovered] : [])),
  };
}

/** The VPC origin's id a distribution's origin names. */
const vpcOriginIdOf = (listed: ListedOrigin) => listed.origin.VpcOriginConfig?.VpcOriginId ?? '-';

/**
 * A VPC origin on a load balancer of the run's region that discovery did not find among its
 * fronts: a Network Load Balancer (ELB's `Type` says so) is probed through its targets; any other
 * was left out by the selection.
 */
async function loadBalancerOfThisRegion(clients: CloudFrontClients, listed: ListedOrigin, summary: VpcOriginSummary, arn: string, endpointOf: (id: string) => Promise<{ tls: boolean; port: number }>): Promise<OriginFindings> {
  const vpcOriginId = vpcOriginIdOf(listed);
  let lb: LoadBalancer | undefined;
  try {
    lb = (await clients.v2LoadBalancers()).find((listed) => listed.LoadBalancerArn === arn);
  } catch (error) {
    return { notCovered: notChecked(listed, 'load-balancer', arn, `describing load balancer ${printable(arn, 300)} failed: ${(error as Error).message}`, vpcOriginId), found: [failedCall(`elb/${clients.region}`, error)] };
  }
  if (lb?.Type !== 'network') return { excluded: loadBalancerLeftOut(listed, arn, vpcOriginId) };
  return { found: [await networkOriginFront(clients, listed, lb, endpointOf(summary.Id!), vpcOriginId)] };
}

/**
 * A VPC origin on a Network Load Balancer of the run's region: its listener's healthy targets,
 * probed from the NLB's VPC against CloudFront's keep-alive (each passes CloudFront's idle
 * connections through), with the listener's TCP idle timeout for the configuration check.
 */
async function networkOriginFront(clients: CloudFrontClients, listed: ListedOrigin, lb: LoadBalancer, endpoint: Promise<{ tls: boolean; port: number }>, vpcOriginId?: string): Promise<FoundLoadBalancer> {
  const arn = lb.LoadBalancerArn ?? '-';
  const { name, cloudFront } = originOf(listed, 'network-load-balancer', vpcOriginId ? arn : (listed.origin.DomainName ?? arn), vpcOriginId);
  const base = { name, type: 'cloudfront' as const, idleTimeoutS: listed.keepAliveS, skipped: [] };
  try {
    const nlb = await networkOrigin(clients.elbv2, lb, await endpoint);
    return {
      ...base,
      ...(nlb.vpcId ? { vpcId: nlb.vpcId } : {}),
      backends: nlb.backends,
      skipped: nlb.skipped,
      cloudFront: { ...cloudFront, networkLoadBalancer: { name: nlb.name, arn: printable(arn, 300), listenerPort: nlb.listenerPort, idleTimeoutS: nlb.idleTimeoutS } },
      ...(nlb.error !== undefined ? { error: nlb.error } : {}),
    };
  } catch (error) {
    return { ...base, backends: [], cloudFront, error: (error as Error).message };
  }
}

/** Every VPC origin of the account by id, through its pages (bounded). */
async function listVpcOrigins(client: CloudFrontClient): Promise<Map<string, VpcOriginSummary>> {
  const byId = new Map<string, VpcOriginSummary>();
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await call('ListVpcOrigins', client.send(new ListVpcOriginsCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) })));
    for (const item of output.VpcOriginList?.Items ?? []) if (item.Id) byId.set(item.Id, item);
    marker = output.VpcOriginList?.IsTruncated ? output.VpcOriginList.NextMarker : undefined;
    if (!marker) break;
  }
  return byId;
}

/**
 * VPC origins on EC2 instances: probed like a backend, from the instance's VPC, against the
 * origin's keep-alive. The VPC origin's ports and protocol come from `GetVpcOrigin`.
 */
async function instanceOrigins(
  clients: CloudFrontClients,
  origins: ReadonlyArray<{ listed: ListedOrigin; summary: VpcOriginSummary; instanceId: string }>,
  endpointOf: (id: string) => Promise<{ tls: boolean; port: number }>,
): Promise<FoundLoadBalancer[]> {
  if (origins.length === 0) return [];
  let addresses: Map<string, InstanceAddress> | Error;
  try {
    addresses = await instanceAddresses(clients.ec2, origins.map((o) => o.instanceId));
  } catch (error) {
    addresses = error as Error;
  }
  return Promise.all(
    origins.map(async ({ listed, summary, instanceId }): Promise<FoundLoadBalancer> => {
      const { name, cloudFront } = originOf(listed, 'instance', summary.OriginEndpointArn ?? instanceId, summary.Id);
      const base = { name, type: 'cloudfront' as const, idleTimeoutS: listed.keepAliveS, cloudFront, skipped: [] };
      try {
        if (addresses instanceof Error) throw addresses;
        const address = addresses.get(instanceId);
        if (address === undefined) return { ...base, backends: [], skipped: [{ what: `instance ${printable(instanceId, 64)}`, reason: 'is the VPC origin but no longer exists (EC2 does not know it)' }], error: `instance ${printable(instanceId, 64)} of VPC origin ${printable(String(summary.Id), 64)} not found` };
        const endpoint = await endpointOf(summary.Id!);
        return { ...base, ...(address.vpcId ? { vpcId: address.vpcId } : {}), backends: [{ instanceId, ip: address.ip, port: endpoint.port, tls: endpoint.tls, path: '/', proxyProtocol: false }] };
      } catch (error) {
        return { ...base, backends: [], error: (error as Error).message };
      }
    }),
  );
}

/** A CloudFront part whose call failed: one front with the error, judged inconclusive, never hiding the others. */
function listingFailed(name: string, error: unknown): FoundLoadBalancer {
  return { name, type: 'cloudfront', idleTimeoutS: null, backends: [], skipped: [], error: (error as Error).message };
}

/**
 * A call that left origins not checked (`ListVpcOrigins`, a region's load balancers): one front
 * `cloudfront/WHAT` with the error, so that the run is inconclusive rather than a pass.
 */
const failedCall = (what: string, error: unknown) => listingFailed(`cloudfront/${what}`, error);
