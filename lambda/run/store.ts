/**
 * Large runs through S3: the discover step writes the discovery and one plan file per VPC for
 * the Distributed Maps to read; publish reads the plans back and the results the maps wrote.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Discovery, ProbePlanItem } from '../discovery/types';
import { getJson, putJson } from '../shared/s3-json';
import type { DistributedRun, ShardFailure, ShardResult, VpcResults } from './types';

/** The key of a run's plan files. */
export const planPrefix = (prefix: string, runId: string) => `${prefix}plans/${runId}/`;

/**
 * Writes the discovery and, for every configured VPC (empty when it has no backend this run,
 * so that its map reads an empty list rather than fails), the plan items of that VPC.
 */
export async function writePlans(
  s3: S3Client,
  bucket: string,
  prefix: string,
  run: { runId: string; startedAt: string },
  discovery: Discovery,
  itemsByVpc: ReadonlyMap<string, readonly ProbePlanItem[]>,
): Promise<DistributedRun> {
  const base = planPrefix(prefix, run.runId);
  const plans = [...itemsByVpc.entries()].map(([vpcId, items]) => ({ vpcId, key: `${base}${vpcId}.json`, items: items.length }));
  await Promise.all([putJson(s3, bucket, `${base}discovery.json`, discovery), ...plans.map((plan) => putJson(s3, bucket, plan.key, itemsByVpc.get(plan.vpcId)))]);
  return { mode: 'distributed', runId: run.runId, startedAt: run.startedAt, discoveryKey: `${base}discovery.json`, plans };
}

interface Manifest {
  readonly ResultFiles: Readonly<Record<'SUCCEEDED' | 'FAILED' | 'PENDING', ReadonlyArray<{ readonly Key: string }>>>;
}

interface ChildExecution {
  readonly Output?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

/**
 * Reads back a distributed run: its discovery, its plan, and every batch's outcome from the
 * maps' result files (a failed batch, or a VPC whose whole map failed, becomes a shard failure).
 */
export async function readDistributedRun(
  s3: S3Client,
  bucket: string,
  run: DistributedRun & { readonly vpcResults: readonly VpcResults[] },
): Promise<{ discovery: Discovery; plan: ProbePlanItem[]; shardResults: Array<ShardResult | ShardFailure> }> {
  const read = <T>(key: string, from = bucket) => getJson<T>(s3, from, key);
  const [discovery, ...plans] = await Promise.all([read<Discovery>(run.discoveryKey), ...run.plans.map((plan) => read<ProbePlanItem[]>(plan.key))]);
  const perVpc = await Promise.all(
    run.vpcResults.map(async (vpc, index): Promise<Array<ShardResult | ShardFailure>> => {
      if (vpc.manifest === undefined) return [{ shardId: index, vpcId: vpc.vpcId, error: vpc.error ?? { Error: 'NoResults', Cause: 'the map wrote no results' } }];
      const manifest = await read<Manifest>(vpc.manifest.Key, vpc.manifest.Bucket);
      const files = await Promise.all([...manifest.ResultFiles.SUCCEEDED, ...manifest.ResultFiles.FAILED].map((file) => read<ChildExecution[]>(file.Key, vpc.manifest!.Bucket)));
      return files.flat().map((child, batch) =>
        child.Output !== undefined && child.Error === undefined
          ? (JSON.parse(child.Output) as ShardResult)
          : { shardId: batch, vpcId: vpc.vpcId, error: { Error: child.Error ?? 'Unknown', ...(child.Cause ? { Cause: child.Cause } : {}) } },
      );
    }),
  );
  return { discovery, plan: plans.flat(), shardResults: perVpc.flat() };
}
