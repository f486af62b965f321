/**
 * What the state machine passes from step to step: discover -> probe (one Map item per
 * shard) -> publish. Kept small and plain JSON: Step Functions carries it.
 */
import type { Discovery, ProbePlanItem } from '../discovery/types';
import type { ProbeResult } from '../probe/types';

/** A batch of probe jobs for one VPC's probe function. */
export interface Shard {
  readonly runId: string;
  readonly shardId: number;
  readonly vpcId: string;
  readonly items: readonly ProbePlanItem[];
}

/** The discover step's output. */
export interface DiscoverOutput {
  readonly runId: string;
  readonly startedAt: string;
  readonly discovery: Discovery;
  readonly shards: readonly Shard[];
}

/** The probe step's output for one shard. */
export interface ShardResult {
  readonly runId: string;
  readonly shardId: number;
  readonly vpcId: string;
  readonly results: ReadonlyArray<{ readonly key: string; readonly result: ProbeResult }>;
}

/** What a Map catch leaves for a shard whose probe failed or timed out. */
export interface ShardFailure {
  readonly shardId: number;
  readonly vpcId: string;
  readonly error: { readonly Error: string; readonly Cause?: string };
}

/** The publish step's input: the discover output plus every shard's outcome. */
export interface PublishInput extends DiscoverOutput {
  readonly shardResults: ReadonlyArray<ShardResult | ShardFailure>;
}
