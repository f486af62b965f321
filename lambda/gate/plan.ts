/**
 * A gate run planned from a hook: the replacement tasks as one probe shard for the probe
 * function in their VPC, or, when the load balancer's timeout is longer than a Lambda
 * invocation can hold, as the long probe's plan (the monitor's own Fargate path).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { toProbePlan } from '../discovery/plan';
import { worstCaseAnyS, routeOf } from '../run/route';
import { longProbeTime } from '../run/limits';
import { longKeys, writeLongPlans } from '../run/store';
import type { LongProbe } from '../run/types';
import { printable } from '../shared/printable';
import { NothingToProbe, replacementTasks, type GateClients } from './find';
import { MAX_REASON_CHARS } from './settings';
import type { GateRun, GateSubject } from './types';

/** Where a long probe's plan goes, when the gate has the long probe. */
export interface LongPlanTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  /** The reports prefix, `idle-canary/`. */
  readonly prefix: string;
}

/** What a plan needs besides the hook's subject. */
export interface GatePlanOptions {
  readonly runId: string;
  readonly startedAt: Date;
  /** The probe function's timeout in seconds: what a Lambda probe can hold. */
  readonly probeTimeoutS: number;
  /** Set when the gate has the long probe. */
  readonly long?: LongPlanTarget;
}

/**
 * The gate run for a hook. Nothing found to probe (or an AWS call that failed) is a run of
 * mode `none` with the reason, which the gate concludes `inconclusive`: never a pass.
 *
 * @example
 * await planGate(subject, clients, { runId, startedAt: new Date(), probeTimeoutS: 900 }); // { mode: 'lambda', shard: {...}, ... }
 */
export async function planGate(subject: GateSubject, clients: GateClients, options: GatePlanOptions): Promise<GateRun> {
  const base = { runId: options.runId, startedAt: options.startedAt.toISOString(), subject };
  let loadBalancers;
  try {
    loadBalancers = await replacementTasks(subject, clients);
  } catch (error) {
    const why = error instanceof NothingToProbe ? error.message : `the replacement tasks could not be read: ${(error as Error).message}`;
    return { ...base, mode: 'none', loadBalancers: [], problem: printable(why, MAX_REASON_CHARS) };
  }
  const items = toProbePlan(loadBalancers);
  const vpcId = loadBalancers[0].vpcId;
  // The gate's probe runs in the service's VPC; a front found outside any VPC cannot be probed from it.
  if (vpcId === undefined) return { ...base, mode: 'none', loadBalancers, problem: 'the replacement tasks are outside any VPC, where the gate has no probe' };
  const longestS = Math.max(...items.map((item) => item.job.loadBalancerIdleTimeoutS));
  if (options.long !== undefined && routeOf(longestS, options.probeTimeoutS) === 'long') {
    const { s3, bucket, prefix } = options.long;
    const probe: LongProbe = { vpcId, ...longKeys(prefix, options.runId, vpcId), items: items.length, deferred: 0, ...longProbeTime(worstCaseAnyS(longestS), options.startedAt.getTime(), Date.now()) };
    await writeLongPlans(s3, bucket, options.runId, [{ probe, items }]);
    return { ...base, mode: 'long', loadBalancers, long: [probe] };
  }
  return { ...base, mode: 'lambda', loadBalancers, shard: { runId: options.runId, shardId: 0, vpcId, items } };
}
