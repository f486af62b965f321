/**
 * What the deployment gate hands from step to step: the hook's request, the run it starts (the
 * gate state machine's input) and the outcome it ends with (the machine's output).
 *
 * Kept plain JSON: Step Functions carries it, and a later hook invocation reads the outcome back.
 */
import type { LoadBalancerPlan } from '../discovery/types';
import type { Verdict } from '../probe/types';
import type { LongProbe, Shard, ShardResult } from '../run/types';

/** The ECS native blue/green lifecycle stages a hook may run at. */
export const ECS_LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
] as const;

export type EcsLifecycleStage = (typeof ECS_LIFECYCLE_STAGES)[number];

/** A deployment asking the gate: an ECS lifecycle hook or a CodeDeploy hook. */
export type GateSubject = EcsSubject | CodeDeploySubject;

/** An ECS native blue/green deployment at one lifecycle stage. */
export interface EcsSubject {
  readonly system: 'ecs';
  readonly serviceArn: string;
  /** The service revision being deployed: its tasks are the replacement (green) tasks. */
  readonly targetServiceRevisionArn: string;
  readonly lifecycleStage: EcsLifecycleStage;
}

/** A CodeDeploy ECS blue/green deployment at one hook. */
export interface CodeDeploySubject {
  readonly system: 'codedeploy';
  readonly deploymentId: string;
  /** What `PutLifecycleEventHookExecutionStatus` reports to, once. */
  readonly hookExecutionId: string;
  /** The appspec hook, e.g. `AfterAllowTestTraffic`, when the event names it. */
  readonly lifecycleEvent?: string;
}

/** What to do when the gate cannot tell: fail the deployment (the default) or let it continue. */
export type OnInconclusive = 'fail' | 'continue';

export const ON_INCONCLUSIVE: readonly OnInconclusive[] = ['fail', 'continue'];

/** What an inconclusive gate answers unless configured: a deployment the gate cannot judge does not go ahead. */
export const DEFAULT_ON_INCONCLUSIVE: OnInconclusive = 'fail';

/**
 * One gate run, the gate state machine's input: the replacement tasks found and how they are
 * probed (`lambda`: the probe function in the VPC; `long`: the Fargate long probe; `none`:
 * nothing to probe, `problem` says why).
 */
export interface GateRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly subject: GateSubject;
  readonly mode: 'lambda' | 'long' | 'none';
  /** The production load balancers in front of the replacement tasks' target group, each with its timeout and margin. */
  readonly loadBalancers: readonly LoadBalancerPlan[];
  readonly shard?: Shard;
  readonly long?: readonly LongProbe[];
  /** Why nothing could be probed (no target registered, the target group has no load balancer...). */
  readonly problem?: string;
}

/** What the gate machine passes to its last step: the run, and the probe's result or failure. */
export interface GateConcludeInput extends GateRun {
  readonly probed?: ShardResult;
  readonly probeError?: { readonly Error?: string; readonly Cause?: string };
}

/** The deployment system's answer: ECS's `hookStatus` values (CodeDeploy's `Succeeded` / `Failed` map to them). */
export type HookStatus = 'SUCCEEDED' | 'FAILED';

/** How a gate run ended: the gate machine's output, and the report's head. */
export interface GateOutcome {
  readonly runId: string;
  /** The worst verdict over the replacement tasks and their load balancers. */
  readonly verdict: Verdict;
  readonly hookStatus: HookStatus;
  /** One paragraph a person can act on: the phase, the measured limit, the load balancer's timeout, the fix. */
  readonly reason: string;
  /** Where the report is, in the bucket. */
  readonly reportKey: string;
}
