/**
 * The long-horizon probe task's entry point (a container on ECS Fargate, started by the run's
 * state machine): reads its shard, probes it with the probe function's own code for the
 * budget discover gave it, and writes the result under the run's prefix, where publish reads it.
 *
 * Why a plain process and not a Lambda: a Lambda lives at most 15 minutes, and load balancers
 * hold idle connections up to 4,000 s, a lazy backend's narrowing about twice that.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson } from '../shared/s3-json';
import type { ShardResult } from '../run/types';
import { ENV, envString, settingFromEnv } from './config';
import { logger } from '../shared/logger';
import { probeShardFromEnv, shardOf } from './probe';

/** Bytes a shard file may have: one task's targets are a few hundred at most. */
const SHARD_FILE_MAX_BYTES = 4 * 2 ** 20;

export interface LongProbeDependencies {
  readonly s3: S3Client;
  /** Aborted on SIGTERM (the run stopped, or the task timed out): the probe ends, its results are cut short. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the task once: the shard from `IDLE_CANARY_SHARD_FILE` or S3 (`IDLE_CANARY_PLAN_KEY`),
 * the result to S3 (`IDLE_CANARY_RESULT_KEY`), both in `IDLE_CANARY_BUCKET`.
 *
 * @throws Error naming the variable when one is missing or bad (the task then exits 1 and
 * publish counts the shard's backends as probe errors)
 * @example
 * await longProbeTask(process.env, { s3: new S3Client({}) });
 */
export async function longProbeTask(env: NodeJS.ProcessEnv, deps: LongProbeDependencies): Promise<ShardResult> {
  const bucket = envString(env, ENV.bucket);
  const resultKey = envString(env, ENV.resultKey);
  const budgetS = settingFromEnv(env, 'timeBudgetS');
  const file = env[ENV.shardFile];
  const raw = file ? readShardFile(file) : await getJson<unknown>(deps.s3, bucket, envString(env, ENV.planKey));
  const result = await probeShardFromEnv(shardOf(raw), budgetS * 1000, env, deps.signal);
  await putJson(deps.s3, bucket, resultKey, result);
  logger.info('long probe result written', { runId: result.runId, vpcId: result.vpcId, resultKey, targets: result.results.length });
  return result;
}

/**
 * The shard file, read up to one byte past its bound.
 *
 * Why not its size first: a device or a pipe (`/dev/zero`, `/dev/stdin`) says 0 bytes and then
 * never ends; reading at most the bound stops at it whatever the path is.
 */
function readShardFile(path: string): unknown {
  const buffer = Buffer.alloc(SHARD_FILE_MAX_BYTES + 1);
  const fd = openSync(path, 'r');
  let length = 0;
  try {
    let read: number;
    do {
      read = readSync(fd, buffer, length, buffer.length - length, null);
      length += read;
    } while (read > 0 && length < buffer.length);
  } finally {
    closeSync(fd);
  }
  if (length > SHARD_FILE_MAX_BYTES) throw new Error(`${ENV.shardFile}=${JSON.stringify(path)}: expected a shard file of at most ${SHARD_FILE_MAX_BYTES} bytes`);
  return JSON.parse(buffer.toString('utf8', 0, length));
}

/** The container's command: one run, SIGTERM aborts it, exit code 1 on error. */
export async function main(): Promise<void> {
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort(new Error('the task was stopped (SIGTERM)')));
  try {
    await longProbeTask(process.env, { s3: new S3Client({}), signal: stop.signal });
  } catch (error) {
    logger.error('long probe failed', { error: error as Error });
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
