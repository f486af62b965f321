/**
 * Runs through S3: the discover step writes the discovery (every run) and, for large runs, one
 * plan file per VPC for the Distributed Maps to read; publish reads the discovery back, and the
 * results the maps wrote.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { toProbePlan, type Discovery, type ProbePlanItem } from '../discovery';
import { OUTSIDE_VPC_PLAN } from '../discovery/types';
import { getJson, putJson } from '../shared/s3-json';
import type { DistributedRun, LongProbe, LongResult, Shard, ShardFailure, ShardResult, VpcResults } from './types';

/** The key of a run's plan files. */
export const planPrefix = (prefix: string, runId: string) => `${prefix}plans/${runId}/`;

/**
 * Where one VPC's long-horizon probe reads its shard and writes its result: under the run's
 * plan and result prefixes, in a `long/` folder the task's role is limited to.
 */
export const longKeys = (prefix: string, runId: string, vpcId: string) => ({
  planKey: `${planPrefix(prefix, runId)}long/${vpcId}.json`,
  resultKey: `${prefix}results/${runId}/long/${vpcId}.json`,
});

/** Writes each long probe's shard (the items it probes) to its plan key. */
export async function writeLongPlans(s3: S3Client, bucket: string, runId: string, probes: ReadonlyArray<{ probe: LongProbe; items: readonly ProbePlanItem[] }>): Promise<void> {
  await Promise.all(probes.map(({ probe, items }, shardId) => putJson(s3, bucket, probe.planKey, { runId, shardId, vpcId: probe.vpcId, items } satisfies Shard)));
}

/**
 * Reads back each long probe's result; a task that failed, or wrote nothing, becomes a shard
 * failure (its backends are probe errors, never a pass).
 */
export async function readLongResults(s3: S3Client, bucket: string, probes: readonly LongProbe[], outcomes: readonly LongResult[] = []): Promise<Array<ShardResult | ShardFailure>> {
  return Promise.all(
    probes.map(async (probe, shardId): Promise<ShardResult | ShardFailure> => {
      const failed = outcomes.find((o) => o.vpcId === probe.vpcId)?.error;
      try {
        return await getJson<ShardResult>(s3, bucket, probe.resultKey);
      } catch (error) {
        const cause = `${(error as Error).name}: the long probe task wrote no result to ${probe.resultKey}`;
        return { shardId, vpcId: probe.vpcId, error: failed ?? { Error: 'NoLongProbeResult', Cause: cause } };
      }
    }),
  );
}

/** Writes the run's discovery and returns its key. */
export async function writeDiscovery(s3: S3Client, bucket: string, prefix: string, runId: string, discovery: Discovery): Promise<string> {
  const key = `${planPrefix(prefix, runId)}discovery.json`;
  await putJson(s3, bucket, key, discovery);
  return key;
}

/**
 * The run's discovery and its whole probe plan (every backend, probed or deferred), as the
 * judge needs them.
 */
export async function readDiscovery(s3: S3Client, bucket: string, key: string): Promise<{ discovery: Discovery; plan: ProbePlanItem[] }> {
  const discovery = await getJson<Discovery>(s3, bucket, key);
  return { discovery, plan: toProbePlan(discovery.loadBalancers) };
}

/**
 * Writes, for every configured VPC (empty when it has no backend this run, so that its map
 * reads an empty list rather than fails) and for the items outside any VPC, the plan items its map probes: at most
 * `perVpc`; the rest are deferred, and counted as probe errors by publish.
 */
export async function writePlans(
  s3: S3Client,
  bucket: string,
  prefix: string,
  run: { runId: string; startedAt: string; discoveryKey: string },
  itemsByVpc: ReadonlyMap<string | undefined, readonly ProbePlanItem[]>,
  perVpc = Number.POSITIVE_INFINITY,
): Promise<DistributedRun> {
  const base = planPrefix(prefix, run.runId);
  const written = [...itemsByVpc.entries()].map(([vpcId, items]) => ({
    plan: { ...(vpcId !== undefined ? { vpcId } : {}), key: `${base}${vpcId ?? OUTSIDE_VPC_PLAN}.json`, items: Math.min(items.length, perVpc), deferred: Math.max(0, items.length - perVpc) },
    items,
  }));
  await Promise.all(written.map(({ plan, items }) => putJson(s3, bucket, plan.key, items.slice(0, plan.items))));
  const plans = written.map(({ plan }) => plan);
  return { mode: 'distributed', runId: run.runId, startedAt: run.startedAt, discoveryKey: run.discoveryKey, plans };
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
 * Reads back every batch's outcome from the maps' result files (a failed batch, or a VPC whose
 * whole map failed, becomes a shard failure).
 */
export async function readDistributedResults(s3: S3Client, bucket: string, run: DistributedRun & { readonly vpcResults: readonly VpcResults[] }): Promise<Array<ShardResult | ShardFailure>> {
  const read = <T>(key: string, from = bucket) => getJson<T>(s3, from, key);
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
  return perVpc.flat();
}
