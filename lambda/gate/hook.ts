/**
 * The hook both deployment systems call: it starts the gate run for the deployment once, and
 * (ECS) answers from the run's state on every call: `IN_PROGRESS` while it runs, then
 * `SUCCEEDED` or `FAILED` with the reason. CodeDeploy gets its answer from the run's last step.
 */
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../shared/logger';
import { printable } from '../shared/printable';
import { runNameOf, subjectOf } from './event';
import type { GateClients } from './find';
import { hookStatusOf, inconclusiveSetting } from './answer';
import { planGate, type LongPlanTarget } from './plan';
import { CALL_BACK_DELAY_S, MAX_REASON_CHARS } from './settings';
import type { GateOutcome, GateSubject, HookStatus, OnInconclusive } from './types';

/** What ECS expects back from a lifecycle hook. */
export interface EcsHookResponse {
  readonly hookStatus: HookStatus | 'IN_PROGRESS';
  readonly callBackDelay?: number;
  readonly hookDetails: Readonly<Record<string, string>>;
}

/** What the hook returns to CodeDeploy's invocation (CodeDeploy reads nothing back: the run answers it). */
export interface CodeDeployHookResponse {
  readonly runId: string;
  readonly executionArn: string;
  readonly started: boolean;
}

export interface HookDependencies extends GateClients {
  readonly sfn: SFNClient;
}

export interface HookSettings {
  readonly stateMachineArn: string;
  readonly onInconclusive: OnInconclusive;
  readonly probeTimeoutS: number;
  readonly long?: LongPlanTarget;
}

/** Step Functions' execution states that mean the gate run itself broke (never the deployment's verdict). */
const BROKEN = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Answers one hook invocation.
 *
 * @throws InvalidEventError for an event of neither system (ECS then rolls back, as for any error)
 * @example
 * await answerHook(ecsEvent, settings, deps); // { hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: { runId: 'ecs-post-scale-up-…' } }
 */
export async function answerHook(event: unknown, settings: HookSettings, deps: HookDependencies): Promise<EcsHookResponse | CodeDeployHookResponse> {
  const subject = subjectOf(event);
  const runId = runNameOf(subject);
  const executionArn = `${settings.stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
  const execution = await describe(deps.sfn, executionArn);
  const started = execution === undefined ? await start(subject, runId, settings, deps) : false;
  if (subject.system === 'codedeploy') {
    logger.info('gate run for CodeDeploy', { runId, executionArn, started });
    return { runId, executionArn, started };
  }
  if (execution === undefined || execution.status === 'RUNNING') return { hookStatus: 'IN_PROGRESS', callBackDelay: CALL_BACK_DELAY_S, hookDetails: { runId, executionArn } };
  if (BROKEN.has(execution.status ?? '')) {
    const reason = `idle-canary gate: the gate run ${runId} ended ${execution.status} (${printable(execution.error ?? '', 200)}: ${printable(execution.cause ?? '', 400)}) before judging the replacement tasks; its logs say why.`;
    return brokenRun(reason, runId, settings.onInconclusive);
  }
  const outcome = outcomeOf(execution.output);
  if (outcome === undefined) return brokenRun(`idle-canary gate: the gate run ${runId} ended without a readable outcome.`, runId, settings.onInconclusive);
  logger.info('gate answered ECS', { ...outcome, subject });
  return { hookStatus: outcome.hookStatus, hookDetails: { runId, verdict: outcome.verdict, reason: outcome.reason, reportKey: outcome.reportKey } };
}

/** A run that broke: inconclusive, answered as the setting says, with the reason. */
function brokenRun(reason: string, runId: string, onInconclusive: OnInconclusive): EcsHookResponse {
  const hookStatus = hookStatusOf('inconclusive', onInconclusive);
  logger.error('gate run broke', { runId, reason, hookStatus });
  return { hookStatus, hookDetails: { runId, verdict: 'inconclusive', reason: printable(`${reason} ${inconclusiveSetting(onInconclusive)}`, MAX_REASON_CHARS) } };
}

async function describe(sfn: SFNClient, executionArn: string) {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

/** Plans and starts the run; `false` when a concurrent invocation started it first. */
async function start(subject: GateSubject, runId: string, settings: HookSettings, deps: HookDependencies): Promise<boolean> {
  const run = await planGate(subject, deps, { runId, startedAt: new Date(), probeTimeoutS: settings.probeTimeoutS, ...(settings.long ? { long: settings.long } : {}) });
  try {
    await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: settings.stateMachineArn, name: runId, input: JSON.stringify(run) }));
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return false;
    throw error;
  }
  logger.info('gate run started', { runId, mode: run.mode, targets: run.shard?.items.length ?? run.long?.[0]?.items ?? 0, problem: run.problem, subject });
  return true;
}

/** The run's output, checked: it is ours, but a reader never trusts what it did not just make. */
function outcomeOf(output: string | undefined): GateOutcome | undefined {
  if (output === undefined || output.length > 64 * 1024) return undefined;
  try {
    const value = JSON.parse(output) as Partial<GateOutcome>;
    const ok = (value.hookStatus === 'SUCCEEDED' || value.hookStatus === 'FAILED') && typeof value.reason === 'string' && typeof value.runId === 'string' && typeof value.reportKey === 'string' && ['pass', 'fail', 'inconclusive'].includes(value.verdict as string);
    return ok ? { runId: value.runId!, verdict: value.verdict!, hookStatus: value.hookStatus!, reason: printable(value.reason!, MAX_REASON_CHARS), reportKey: value.reportKey! } : undefined;
  } catch {
    return undefined;
  }
}
