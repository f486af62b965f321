/**
 * The state machine's first step: discover the region, then plan the run's shards, inline in
 * the state when the largest results they could bring back surely fit, else through S3 and
 * Distributed Maps; long-horizon backends go to the ECS Fargate probes.
 *
 * Why this shape: Step Functions carries at most 256 KiB of state, and a run that exceeds it
 * fails with an error no catch can handle. So the discovery (which lists every load balancer
 * of the region, in scope or not) always goes to S3, and the plan travels inline only when
 * it surely fits; otherwise each VPC's Distributed Map reads its plan from S3 and writes its
 * results there. Each VPC probes at most what `PROBE_WAVES` rounds of `maxConcurrency`
 * invocations take, so the run fits the state machine's timeout; the rest is deferred and
 * counted as probe errors.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Discovery, DiscoverOptions, ProbePlanItem } from '../discovery';
import { isBlocked } from '../discovery/plan';
import { rotationAt } from '../discovery/sample';
import { logger } from '../shared/logger';
import { earlierRunningExecution, type ThisExecution } from './guard';
import { backendsPerRun, inlineStateBound, longProbeTime, PROBE_WAVES, STATE_BUDGET_BYTES } from './limits';
import { discoverRun } from './pipeline';
import { splitByRoute, worstCaseAnyS } from './route';
import { groupByVpc, sortedByVpc, targetsPerInvocation, toShards } from './shards';
import { longKeys, writeDiscovery, writeLongPlans, writePlans } from './store';
import { describeSelection, discoverOptionsFor, type RunSelection } from './selection';
import type { DiscoverOutput, DistributedRun, InlineRun, LongProbe } from './types';

export interface DiscoverDependencies {
  readonly s3: S3Client;
  readonly sfn: SFNClient;
}

/** What started the run: its name and, from the state machine, this execution. */
export interface RunRequest {
  /** The execution name; `run-<start time>` when unset. */
  readonly runId?: string;
  /** The state machine's and this execution's ARNs and start time: an earlier running execution skips this run. */
  readonly execution?: ThisExecution;
  /** What to probe this run, instead of the configured selection (`settings.selection`). */
  readonly selection?: RunSelection;
}

/** How a deployed run is planned (the handler reads them from its variables). */
export interface PlanSettings {
  /** Where to look, and how many backends per port to sample. */
  readonly selection: Omit<DiscoverOptions, 'rotation' | 'clients'>;
  readonly periodMinutes: number;
  readonly bucket: string;
  readonly prefix: string;
  readonly sockets: { readonly maxOpenSockets: number; readonly maxSocketsPerTarget: number };
  readonly maxConcurrency: number;
  readonly inlineMaxBackends: number;
  /**
   * The probe function's timeout, which backends are routed by when the stack has the long-horizon
   * probe; without it every backend goes to the probe functions, which report a horizon that does
   * not fit as inconclusive.
   */
  readonly probeTimeoutS?: number;
  /**
   * Whether the stack has the probe function outside any VPC: a large run then always writes its
   * plan (empty when nothing is probed from outside a VPC), which that function's Distributed Map reads.
   * @default false
   */
  readonly probesOutsideVpc?: boolean;
}

/**
 * Discovers and plans a run.
 *
 * @example
 * await planRun({ runId: 'scheduled-2026-11-24T10-15' }, settings, { s3, sfn });
 */
export async function planRun(request: RunRequest, settings: PlanSettings, deps: DiscoverDependencies): Promise<DiscoverOutput> {
  const { runId: givenRunId, execution, selection } = request;
  const startedAt = new Date();
  const runId = givenRunId ?? `run-${startedAt.toISOString()}`;
  if (execution !== undefined) {
    const earlier = await earlierRunningExecution(deps.sfn, execution);
    if (earlier !== undefined) {
      const reason = `another run is in progress (${earlier.name}, started ${earlier.startDate?.toISOString()}): this run ends at once`;
      logger.warn('run skipped', { runId, reason, running: earlier.executionArn });
      return { mode: 'skipped', runId, reason };
    }
  }
  const { bucket, prefix, sockets, maxConcurrency } = settings;
  const selected = selection && describeSelection(selection);
  const { discovery, plan } = await discoverRun(discoverOptionsFor(selection, { ...settings.selection, rotation: rotationAt(startedAt, settings.periodMinutes) }));
  const discoveryKey = await writeDiscovery(deps.s3, bucket, prefix, runId, discovery);
  // Without the long path, every backend goes to the probe functions, which report a horizon that does not fit as inconclusive.
  const { probeTimeoutS } = settings;
  const routes = probeTimeoutS === undefined ? { lambda: plan, long: [] } : splitByRoute(plan, probeTimeoutS);
  const long = probeTimeoutS !== undefined ? await planLongProbes(deps, { bucket, prefix, runId, runStartedMs: execution ? Date.parse(execution.startTime) : startedAt.getTime() }, discovery, routes.long, sockets) : undefined;
  const inline: InlineRun = {
    mode: 'inline',
    runId,
    startedAt: startedAt.toISOString(),
    discoveryKey,
    shards: toShards(runId, discovery, routes.lambda, sockets),
    ...(long ? { long } : {}),
    ...(selected !== undefined ? { selection: selected } : {}),
  };
  const stateBound = inlineStateBound(inline);
  // Backends their security groups keep the probe out of are not planned; the publish step's log and the report name the rule to add.
  const blocked = discovery.loadBalancers.reduce((sum, lb) => sum + lb.backends.filter(isBlocked).length, 0);
  const summary = { runId, ...(selected !== undefined ? { selection: selected } : {}), loadBalancers: discovery.loadBalancers.length, excluded: discovery.excluded.length, backends: plan.length, blocked, apiCalls: discovery.apiCalls, ...(long ? { long } : {}) };
  if (routes.lambda.length <= settings.inlineMaxBackends && stateBound <= STATE_BUDGET_BYTES && inline.shards.length <= PROBE_WAVES * maxConcurrency) {
    logger.info('discovered', { ...summary, mode: 'inline', shards: inline.shards.length, stateBound, withErrors: discovery.loadBalancers.filter((lb) => lb.error !== undefined).map((lb) => lb.name) });
    return inline;
  }
  const groups = groupByVpc(discovery, routes.lambda, settings.selection.vpcIds);
  if (settings.probesOutsideVpc === true && !groups.has(undefined)) groups.set(undefined, []);
  const planned = await writePlans(deps.s3, bucket, prefix, { runId, startedAt: inline.startedAt, discoveryKey }, groups, backendsPerRun(maxConcurrency, targetsPerInvocation(sockets)));
  const run: DistributedRun = { ...planned, ...(long ? { long } : {}), ...(selected !== undefined ? { selection: selected } : {}) };
  const deferred = run.plans.reduce((sum, p) => sum + p.deferred, 0);
  (deferred > 0 ? logger.warn.bind(logger) : logger.info.bind(logger))('discovered', {
    ...summary,
    mode: run.mode,
    plans: run.plans,
    ...(deferred > 0 ? { deferred, reason: `more backends than ${PROBE_WAVES} rounds of ${maxConcurrency} probe invocations take: raise maxConcurrency or narrow the selection` } : {}),
  });
  return run;
}

/**
 * One long probe per VPC that has long-horizon backends: as many as one task's socket budget
 * holds (the rest deferred, counted as probe errors), with the time the longest needs, within
 * what is left of the run; each one's shard is written where its task reads it.
 */
async function planLongProbes(
  deps: DiscoverDependencies,
  run: { bucket: string; prefix: string; runId: string; runStartedMs: number },
  discovery: Discovery,
  items: readonly ProbePlanItem[],
  sockets: { maxOpenSockets: number; maxSocketsPerTarget: number },
): Promise<LongProbe[]> {
  const perTask = targetsPerInvocation(sockets);
  const groups = sortedByVpc(groupByVpc(discovery, items));
  // The long probe runs in a VPC: items outside any VPC get no result, and are judged probe errors.
  const outside = groups.find(([vpcId]) => vpcId === undefined)?.[1] ?? [];
  if (outside.length > 0) logger.warn('long probe not planned', { backends: outside.length, reason: 'backends probed from outside any VPC have no long probe task' });
  const inVpcs = groups.filter((group): group is [string, ProbePlanItem[]] => group[0] !== undefined);
  const probes = inVpcs.map(([vpcId, vpcItems]) => {
    const probed = vpcItems.slice(0, perTask);
    const worstS = Math.max(...probed.map((item) => worstCaseAnyS(item.job.loadBalancerIdleTimeoutS)));
    const probe: LongProbe = { vpcId, ...longKeys(run.prefix, run.runId, vpcId), items: probed.length, deferred: vpcItems.length - probed.length, ...longProbeTime(worstS, run.runStartedMs, Date.now()) };
    return { probe, items: probed };
  });
  await writeLongPlans(deps.s3, run.bucket, run.runId, probes);
  for (const { probe } of probes) if (probe.deferred > 0) logger.warn('long probe deferred backends', { ...probe, reason: `more long-horizon backends than one task's socket budget (${perTask} targets)` });
  return probes.map(({ probe }) => probe);
}

