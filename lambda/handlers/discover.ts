/**
 * The discover step: the region's load balancers and the probe shards, one per VPC batch.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { runNumberAt } from '../discovery/sample';
import { earlierRunningExecution, type ThisExecution } from '../run/guard';
import { backendsPerRun, inlineStateBound, longProbeTime, PROBE_WAVES, STATE_BUDGET_BYTES } from '../run/limits';
import { LAMBDA_TIMEOUT_S, splitByRoute, worstCaseAnyS } from '../run/route';
import { groupByVpc, targetsPerInvocation, toShards } from '../run/shards';
import { longKeys, writeDiscovery, writeLongPlans, writePlans } from '../run/store';
import type { DiscoverOutput, InlineRun, LongProbe } from '../run/types';
import type { Discovery, ProbePlanItem } from '../discovery';
import { discoverRun } from '../run/pipeline';
import { RANGES } from '../shared/settings';
import { ENV, envList, envString, getNumberFromEnv, settingFromEnv } from './config';
import { logger } from './logger';
import { validator } from './validate';

const check = validator('discover');
const event = check.fields(
  { runId: check.string, source: check.string, execution: check.fields({ stateMachineArn: check.string, executionArn: check.string, startTime: check.string }) },
  ['runId', 'source', 'execution'],
);

export interface DiscoverDependencies {
  readonly s3: S3Client;
  readonly sfn: SFNClient;
}

/**
 * Discovers and plans a run. The event may carry `runId` (the execution name), `source`, and
 * `execution` (the state machine's and this execution's ARNs and start time).
 *
 * Why this shape: Step Functions carries at most 256 KiB of state, and a run that exceeds it
 * fails with an error no catch can handle. So the discovery (which lists every load balancer
 * of the region, in scope or not) always goes to S3, and the plan travels inline only when
 * the largest results it could bring back surely fit; otherwise each VPC's Distributed Map
 * reads its plan from S3 and writes its results there. Each VPC probes at most what
 * `PROBE_WAVES` rounds of `maxConcurrency` invocations take, so the run fits the state
 * machine's timeout; the rest is deferred and counted as probe errors.
 *
 * @example
 * await discoverStep({ runId: 'scheduled-2026-11-24T10-15' });
 */
export async function discoverStep(input: unknown, env: NodeJS.ProcessEnv = process.env, deps: DiscoverDependencies = defaultDependencies()): Promise<DiscoverOutput> {
  event(input, '');
  const { runId: givenRunId, execution } = input as { runId?: string; execution?: ThisExecution };
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
  const region = envString(env, 'AWS_REGION');
  const vpcIds = envList(env, ENV.vpcIds);
  const { discovery, plan } = await discoverRun({
    region,
    vpcIds,
    names: envList(env, ENV.loadBalancers),
    tags: envList(env, ENV.tags),
    maxBackendsPerPort: settingFromEnv(env, 'maxBackendsPerPort'),
    runNumber: runNumberAt(startedAt, settingFromEnv(env, 'periodMinutes')),
  });
  const bucket = envString(env, ENV.bucket);
  const prefix = env[ENV.reportPrefix] ?? '';
  const discoveryKey = await writeDiscovery(deps.s3, bucket, prefix, runId, discovery);
  const sockets = { maxOpenSockets: settingFromEnv(env, 'maxOpenSockets'), maxSocketsPerTarget: settingFromEnv(env, 'maxSocketsPerTarget') };
  const maxConcurrency = settingFromEnv(env, 'maxConcurrency');
  // Without the long path, every backend goes to the probe functions, which report a horizon that does not fit as inconclusive.
  const longOn = env[ENV.longTimeouts] === 'on';
  const routes = longOn ? splitByRoute(plan, getNumberFromEnv(env, { key: ENV.probeTimeoutS, defaultValue: LAMBDA_TIMEOUT_S, ...RANGES.lambdaTimeoutS })) : { lambda: plan, long: [] };
  const long = longOn ? await planLongProbes(deps, { bucket, prefix, runId, runStartedMs: execution ? Date.parse(execution.startTime) : startedAt.getTime() }, discovery, routes.long, sockets) : undefined;
  const inline: InlineRun = { mode: 'inline', runId, startedAt: startedAt.toISOString(), discoveryKey, shards: toShards(runId, discovery, routes.lambda, sockets), ...(long ? { long } : {}) };
  const stateBound = inlineStateBound(inline);
  const summary = { runId, loadBalancers: discovery.loadBalancers.length, excluded: discovery.excluded.length, backends: plan.length, apiCalls: discovery.apiCalls, ...(long ? { long } : {}) };
  if (routes.lambda.length <= settingFromEnv(env, 'inlineMaxBackends') && stateBound <= STATE_BUDGET_BYTES && inline.shards.length <= PROBE_WAVES * maxConcurrency) {
    logger.info('discovered', { ...summary, mode: 'inline', shards: inline.shards.length, stateBound, withErrors: discovery.loadBalancers.filter((lb) => lb.error !== undefined).map((lb) => lb.name) });
    return inline;
  }
  const planned = await writePlans(deps.s3, bucket, prefix, { runId, startedAt: inline.startedAt, discoveryKey }, groupByVpc(discovery, routes.lambda, vpcIds), backendsPerRun(maxConcurrency, targetsPerInvocation(sockets)));
  const run = long ? { ...planned, long } : planned;
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
  const probes = [...groupByVpc(discovery, items).entries()].sort(([a], [b]) => a.localeCompare(b)).map(([vpcId, vpcItems]) => {
    const probed = vpcItems.slice(0, perTask);
    const worstS = Math.max(...probed.map((item) => worstCaseAnyS(item.job.loadBalancerIdleTimeoutS)));
    const probe: LongProbe = { vpcId, ...longKeys(run.prefix, run.runId, vpcId), items: probed.length, deferred: vpcItems.length - probed.length, ...longProbeTime(worstS, run.runStartedMs, Date.now()) };
    return { probe, items: probed };
  });
  await writeLongPlans(deps.s3, run.bucket, run.runId, probes);
  for (const { probe } of probes) if (probe.deferred > 0) logger.warn('long probe deferred backends', { ...probe, reason: `more long-horizon backends than one task's socket budget (${perTask} targets)` });
  return probes.map(({ probe }) => probe);
}

function defaultDependencies(): DiscoverDependencies {
  return { s3: new S3Client({}), sfn: new SFNClient({}) };
}

export const handler = middy((input: unknown) => discoverStep(input)).use(injectLambdaContext(logger));
