/**
 * The discover step: the region's load balancers and the probe shards, one per VPC batch.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { S3Client } from '@aws-sdk/client-s3';
import { createClients, discover, toProbePlan } from '../discovery';
import { runNumberAt } from '../discovery/sample';
import { groupByVpc, toShards } from '../run/shards';
import { writePlans } from '../run/store';
import type { DiscoverOutput } from '../run/types';
import { ENV, envList, envNumber, envString } from './config';
import { logger } from './logger';
import { validator } from './validate';

const check = validator('discover');

/** Defaults of the discover step, merged once. */
export const defaults = {
  /** Above this many backends, the run goes through S3 and Distributed Maps. */
  inlineMaxBackends: 100,
} as const;

/**
 * Discovers and plans a run. The event may carry `runId` (the execution name) and `source`.
 *
 * Why two modes: Step Functions carries at most 256 KB of state, and every probe result comes
 * back through it on the inline path; above `IDLE_CANARY_INLINE_MAX_BACKENDS` the discovery and
 * the plans go to S3 and each VPC's Distributed Map reads its plan and writes its results there.
 *
 * @example
 * await discoverStep({ runId: 'scheduled-2026-11-24T10-15' });
 */
export async function discoverStep(event: unknown, env: NodeJS.ProcessEnv = process.env, s3: S3Client = new S3Client({})): Promise<DiscoverOutput> {
  check.fields({ runId: check.string, source: check.string }, ['runId', 'source'])(event, '');
  const { runId: givenRunId } = event as { runId?: string };
  const startedAt = new Date();
  const runId = givenRunId ?? `run-${startedAt.toISOString()}`;
  const region = envString(env, 'AWS_REGION');
  const discovery = await discover({
    region,
    clients: createClients(region),
    vpcIds: envList(env, ENV.vpcIds),
    names: envList(env, ENV.loadBalancers),
    tags: envList(env, ENV.tags),
    maxBackendsPerPort: envNumber(env, ENV.maxBackendsPerPort, 2, 1, 1000),
    runNumber: runNumberAt(startedAt, envNumber(env, ENV.periodMinutes, 15, 1, 1440)),
  });
  const plan = toProbePlan(discovery.loadBalancers);
  if (plan.length > envNumber(env, ENV.inlineMaxBackends, defaults.inlineMaxBackends, 0, 1e9)) {
    const itemsByVpc = groupByVpc(discovery, plan, envList(env, ENV.vpcIds));
    const run = await writePlans(s3, envString(env, ENV.bucket), env[ENV.reportPrefix] ?? '', { runId, startedAt: startedAt.toISOString() }, discovery, itemsByVpc);
    logger.info('discovered', { runId, mode: run.mode, loadBalancers: discovery.loadBalancers.length, backends: plan.length, plans: run.plans, apiCalls: discovery.apiCalls });
    return run;
  }
  const shards = toShards(runId, discovery, plan, {
    maxOpenSockets: envNumber(env, ENV.maxOpenSockets, 900, 16, 1000),
    maxSocketsPerTarget: envNumber(env, ENV.maxSocketsPerTarget, 16, 2, 900),
  });
  logger.info('discovered', {
    runId,
    loadBalancers: discovery.loadBalancers.length,
    withErrors: discovery.loadBalancers.filter((lb) => lb.error !== undefined).map((lb) => lb.name),
    backends: plan.length,
    shards: shards.length,
    apiCalls: discovery.apiCalls,
  });
  return { mode: 'inline', runId, startedAt: startedAt.toISOString(), discovery, shards };
}

export const handler = middy((event: unknown) => discoverStep(event)).use(injectLambdaContext(logger));
