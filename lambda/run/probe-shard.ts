/**
 * The probe step of a run: one shard, measured at once. Apart from the rest of the pipeline
 * (which it re-exports) so that the probe function's bundle holds no AWS SDK: it makes no AWS call.
 */
import { probeTargets, type ProbeOptions } from '../probe';
import { compactResult } from './limits';
import type { Shard, ShardResult } from './types';

/**
 * Probes a shard's targets at once, each result compacted to its share of the state: the one
 * code path of the probe function and of the long-horizon probe task.
 *
 * @example
 * await probeShard(shard, { timeBudgetMs: 840_000 }); // { runId, shardId, vpcId, results: [{ key, result }] }
 */
export async function probeShard(shard: Shard, options: ProbeOptions): Promise<ShardResult> {
  const { runId, shardId, vpcId, items } = shard;
  const results = await probeTargets(
    items.map((i) => i.job),
    options,
  );
  // Each result within its share of the state, whatever a backend sent.
  return { runId, shardId, vpcId, results: items.map((i, index) => ({ key: i.key, result: compactResult(results[index], i.key) })) };
}
