/**
 * The probe step: one shard of backends, measured from inside its VPC. No AWS call, ever.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { PROBE_RESERVE_S } from '../run/limits';
import { probeShard } from '../run/probe-shard';
import type { ProbeBatch, Shard, ShardResult } from '../run/types';
import { settingFromEnv } from './config';
import { PORT_RANGE, RANGES } from '../shared/settings';
import { logger } from '../shared/logger';
import { validator } from './validate';

const check = validator('probe');

const target = check.fields(
  {
    host: check.requestField('host'),
    port: check.integer(PORT_RANGE.min, PORT_RANGE.max),
    tls: check.boolean,
    path: check.requestField('path'),
    proxyProtocol: check.boolean,
    hostHeader: check.requestField('hostHeader'),
    protocolVersion: check.protocolVersion,
  },
  ['proxyProtocol', 'hostHeader', 'protocolVersion'],
);
const item = check.fields({ key: check.string, job: check.fields({ target, loadBalancerIdleTimeoutS: check.number(RANGES.loadBalancerIdleTimeoutS.min, RANGES.loadBalancerIdleTimeoutS.max) }), loadBalancers: check.array(check.string) });
const shard = check.fields({ runId: check.string, shardId: check.integer(0, 1_000_000), vpcId: check.string, items: check.array(item) }, ['vpcId']);
const batch = check.fields({ Items: check.array(item), BatchInput: check.fields({ runId: check.string, vpcId: check.string }, ['vpcId']) });

/** A shard from the inline Map, a batch from a Distributed Map, or a long probe's plan, as a shard (validated). */
export function shardOf(event: unknown): Shard {
  if (typeof event === 'object' && event !== null && 'Items' in event) {
    batch(event, '');
    const { Items, BatchInput } = event as ProbeBatch;
    return { runId: BatchInput.runId, shardId: 0, ...(BatchInput.vpcId !== undefined ? { vpcId: BatchInput.vpcId } : {}), items: Items };
  }
  shard(event, '');
  return event as Shard;
}

/**
 * Probes a shard within the invocation's remaining time.
 *
 * Why the budget comes from the context: the horizon is capped to what fits, and a load
 * balancer whose idle timeout is longer than a Lambda can wait is reported `inconclusive`,
 * never `pass`, with the reason.
 */
export async function probeStep(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>, env: NodeJS.ProcessEnv = process.env): Promise<ShardResult> {
  return probeShardFromEnv(shardOf(event), Math.max(1, context.getRemainingTimeInMillis() - PROBE_RESERVE_S * 1000), env);
}

/**
 * Probes a shard within `timeBudgetMs`, with the socket budget and margin of the function's
 * variables (the long-horizon probe task reads the same ones).
 *
 * @example
 * await probeShardFromEnv(shard, 840_000); // { runId, shardId, vpcId, results: [{ key, result }] }
 */
export async function probeShardFromEnv(shard: Shard, timeBudgetMs: number, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<ShardResult> {
  const result = await probeShard(shard, {
    timeBudgetMs,
    maxSocketsPerTarget: settingFromEnv(env, 'maxSocketsPerTarget'),
    maxOpenSockets: settingFromEnv(env, 'maxOpenSockets'),
    marginS: settingFromEnv(env, 'marginS'),
    precisionS: settingFromEnv(env, 'precisionS'),
    ...(signal ? { signal } : {}),
  });
  logger.info('probed', { runId: shard.runId, shardId: shard.shardId, vpcId: shard.vpcId, targets: shard.items.length, timeBudgetMs, verdicts: result.results.map((r) => r.result.verdict) });
  return result;
}

export const handler = middy((event: unknown, context: Context) => probeStep(event, context)).use(injectLambdaContext(logger));
