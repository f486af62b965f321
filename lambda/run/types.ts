/**
 * What the state machine passes from step to step: discover -> probe (one Map item per
 * shard) -> publish. Kept small and plain JSON: Step Functions carries it.
 */
import type { ProbePlanItem } from '../discovery/types';
import type { ProbeResult } from '../probe/types';

/** A batch of probe jobs for one VPC's probe function (or, without `vpcId`, the probe function outside any VPC). */
export interface Shard {
  readonly runId: string;
  readonly shardId: number;
  /** The VPC its probe function runs in; absent: probed from outside any VPC. */
  readonly vpcId?: string;
  readonly items: readonly ProbePlanItem[];
}

/**
 * The discover step's output. The discovery always goes to S3 (it lists every load balancer
 * of the region, in scope or not); the probe plan travels inline when its results surely fit
 * Step Functions' 256 KiB, else through S3. A run that starts while another runs is skipped.
 */
export type DiscoverOutput = InlineRun | DistributedRun | SkippedRun;

export interface InlineRun {
  readonly mode: 'inline';
  readonly runId: string;
  readonly startedAt: string;
  /** Key of the discovery JSON. */
  readonly discoveryKey: string;
  readonly shards: readonly Shard[];
  /** Long-horizon probes on ECS Fargate, one per VPC that has such backends; set when the stack has `longTimeouts`. */
  readonly long?: readonly LongProbe[];
  /**
   * What the run request asked to probe, in words (`describeSelection`); absent for a run of the
   * configured selection. Words, not the request: a few hundred bytes in the state whatever it named.
   */
  readonly selection?: string;
}

/**
 * One VPC's long-horizon probe: an ECS Fargate task that reads its shard from `planKey`, probes
 * it for at most `budgetS` and writes its `ShardResult` to `resultKey`.
 */
export interface LongProbe {
  readonly vpcId: string;
  readonly planKey: string;
  readonly resultKey: string;
  /** Backends in the shard; `deferred` did not fit one task's socket budget and are left unprobed. */
  readonly items: number;
  readonly deferred: number;
  readonly budgetS: number;
  /** The task state's timeout (Step Functions stops the task when it passes). */
  readonly timeoutS: number;
}

/** What the state machine keeps of one long probe task: its VPC, and its error when the task failed. */
export interface LongResult {
  readonly vpcId: string;
  readonly error?: { readonly Error: string; readonly Cause?: string };
}

/** A run that ended at once because another execution of the state machine was running. */
export interface SkippedRun {
  readonly mode: 'skipped';
  readonly runId: string;
  readonly reason: string;
}

/** A run whose discovery and per-VPC plans are in the reports bucket, for Distributed Maps. */
export interface DistributedRun {
  readonly mode: 'distributed';
  readonly runId: string;
  readonly startedAt: string;
  /** Key of the discovery JSON. */
  readonly discoveryKey: string;
  /**
   * One plan file per configured VPC: a JSON array of `ProbePlanItem`, read by the VPC's
   * Distributed Map; `deferred` items did not fit the run's time and are left unprobed
   * (publish counts them as probe errors).
   */
  readonly plans: ReadonlyArray<{ readonly vpcId?: string; readonly key: string; readonly items: number; readonly deferred: number }>;
  /** As in `InlineRun`. */
  readonly long?: readonly LongProbe[];
  /** As in `InlineRun`. */
  readonly selection?: string;
}

/** What a Distributed Map batch gives the probe function: items, and the batch's common input (no `vpcId` outside any VPC). */
export interface ProbeBatch {
  readonly Items: readonly ProbePlanItem[];
  readonly BatchInput: { readonly runId: string; readonly vpcId?: string };
}

/** What the state machine keeps of one VPC's Distributed Map (or, without `vpcId`, the one outside any VPC): where its results were written. */
export interface VpcResults {
  readonly vpcId?: string;
  readonly manifest?: { readonly Bucket: string; readonly Key: string };
  /** Set when the whole map failed (caught). */
  readonly error?: { readonly Error: string; readonly Cause?: string };
}

/** The probe step's output for one shard. */
export interface ShardResult {
  readonly runId: string;
  readonly shardId: number;
  /** As the shard's. */
  readonly vpcId?: string;
  readonly results: ReadonlyArray<{ readonly key: string; readonly result: ProbeResult }>;
}

/** What a Map catch leaves for a shard whose probe failed or timed out. */
export interface ShardFailure {
  readonly shardId: number;
  /** As the shard's. */
  readonly vpcId?: string;
  readonly error: { readonly Error: string; readonly Cause?: string };
}

/** The publish step's input: the discover output plus every shard's outcome. */
export type PublishInput = ((InlineRun & { readonly shardResults: ReadonlyArray<ShardResult | ShardFailure> }) | (DistributedRun & { readonly vpcResults: readonly VpcResults[] })) & {
  readonly longResults?: readonly LongResult[];
};
