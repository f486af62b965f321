/**
 * The run's steps, each written once: discover and plan, probe, then judge, publish and report.
 * `idle-canary scan` chains them in one process; the Lambda handlers call the same steps from
 * the state machine's events (discover, probe per shard, publish).
 *
 * Why here and not in the handlers or the command: a fix to how a run is judged or published
 * must reach both the deployed monitor and the bastion-host scan.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { RecentHangups } from '../access-logs/recent';
import { createClients, discover, toProbePlan, type Discovery, type DiscoverOptions, type ProbePlanItem } from '../discovery';
import { judgeLoadBalancers, type LoadBalancerVerdict } from '../judge';
import { withReachability } from '../judge/unreachable';
import { publishMetrics, toDatums, type MetricSet, type PublishReport } from '../metrics';
import type { ProbeResult } from '../probe';
import { toScanReport, type ScanReport } from '../report/scan';

/** A run's discovery and the plan of what to probe (each shared backend once). */
export interface PlannedRun {
  readonly discovery: Discovery;
  readonly plan: ProbePlanItem[];
}

/**
 * Discovers the region's load balancers (with the region's own clients unless given) and plans
 * the probes.
 *
 * @example
 * const { discovery, plan } = await discoverRun({ region: 'eu-west-1', vpcIds: ['vpc-1'] });
 */
export async function discoverRun(options: DiscoverOptions): Promise<PlannedRun> {
  const discovery = await discover({ ...options, clients: options.clients ?? createClients(options.region) });
  return { discovery, plan: toProbePlan(discovery.loadBalancers) };
}

export { probeShard } from './probe-shard';

export interface ConcludeOptions {
  readonly startedAt: Date;
  /** Margin for load balancers without an `idle-canary:margin` tag; the judge's default when unset. */
  readonly marginS?: number;
  /** Where to publish the metrics; none are published without it. */
  readonly cloudWatch?: CloudWatchClient;
  /** The metrics' namespace; the default namespace when unset. */
  readonly namespace?: string;
  /** Whether the published metrics include the `RunCompleted` heartbeat: only the deployed run's do. @default false */
  readonly heartbeat?: boolean;
  /** The metric set to publish; the default set when unset. */
  readonly metrics?: MetricSet;
  /** Reads the recent hang-ups for the report, once the metrics are out. */
  readonly recentHangups?: (finishedAt: Date) => Promise<RecentHangups>;
}

/** What a run concluded: the verdicts, the metrics published (if asked) and the report. */
export interface ConcludedRun {
  readonly verdicts: LoadBalancerVerdict[];
  readonly metrics?: PublishReport;
  readonly report: ScanReport;
}

/**
 * Judges every load balancer from the plan's results, publishes the metrics (with a CloudWatch
 * client) and assembles the run report.
 *
 * Why results may be missing: a lost shard leaves its backends without one, which the judge
 * counts as probe errors (inconclusive, never pass); the rest is still judged and published.
 *
 * @example
 * const { report } = await concludeRun(discovery, plan, results, { startedAt, cloudWatch, namespace: 'IdleCanary' });
 */
export async function concludeRun(
  discovery: Discovery,
  plan: readonly ProbePlanItem[],
  results: ReadonlyArray<ProbeResult | undefined>,
  options: ConcludeOptions & { readonly cloudWatch: CloudWatchClient },
): Promise<ConcludedRun & { readonly metrics: PublishReport }>;
export async function concludeRun(discovery: Discovery, plan: readonly ProbePlanItem[], results: ReadonlyArray<ProbeResult | undefined>, options: ConcludeOptions): Promise<ConcludedRun>;
export async function concludeRun(
  discovery: Discovery,
  plan: readonly ProbePlanItem[],
  /** One per plan item, in order; `undefined` where no result came back. */
  results: ReadonlyArray<ProbeResult | undefined>,
  options: ConcludeOptions,
): Promise<ConcludedRun> {
  // Backends the probe could not reach are judged with the reason: the rule to add, or where else to look.
  const explained = withReachability(discovery.loadBalancers, plan, results);
  const verdicts = judgeLoadBalancers(discovery.loadBalancers, explained.plan, explained.results, { marginS: options.marginS });
  const finishedAt = new Date();
  const metrics = options.cloudWatch ? await publishMetrics(options.cloudWatch, toDatums(verdicts, finishedAt, { heartbeat: options.heartbeat === true, metrics: options.metrics }), { namespace: options.namespace }) : undefined;
  const accessLogs = options.recentHangups ? await options.recentHangups(finishedAt) : undefined;
  return { verdicts, ...(metrics ? { metrics } : {}), report: toScanReport(discovery, verdicts, options.startedAt, finishedAt, metrics, accessLogs) };
}
