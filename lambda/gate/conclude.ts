/**
 * The gate run's last step: judge the replacement tasks, write the report, tell the topic, and
 * answer CodeDeploy once. (ECS reads the answer from the run's output on its next hook call.)
 */
import { LifecycleEventAlreadyCompletedException, PutLifecycleEventHookExecutionStatusCommand, type CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { readLongResults } from '../run/store';
import type { ShardFailure, ShardResult } from '../run/types';
import { logger } from '../shared/logger';
import { putJson } from '../shared/s3-json';
import { judgeGate, subjectName, type GateJudgeSettings } from './outcome';
import { gateReport } from './report';
import { GATE_REPORTS } from './settings';
import type { GateConcludeInput, GateOutcome } from './types';

/** SNS subjects are at most 100 characters. */
const SUBJECT_MAX = 100;

export interface ConcludeDependencies {
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly codeDeploy: CodeDeployClient;
}

export interface ConcludeSettings extends GateJudgeSettings {
  readonly bucket: string;
  /** The reports prefix, `idle-canary/`. */
  readonly prefix: string;
  /** The monitor's topic: told of every deployment the gate failed or let through unjudged. */
  readonly topicArn?: string;
}

/**
 * Judges the run and delivers its answer everywhere at once: the report, the topic and (for
 * CodeDeploy) `PutLifecycleEventHookExecutionStatus`, each whatever the others do.
 *
 * @throws Error when CodeDeploy could not be told (Step Functions retries the step; a status
 * already reported counts as told)
 * @example
 * await concludeGate(input, { bucket, prefix: 'idle-canary/', onInconclusive: 'fail', marginS: 1 }, deps);
 */
export async function concludeGate(input: GateConcludeInput, settings: ConcludeSettings, deps: ConcludeDependencies): Promise<GateOutcome> {
  const probed = await probedOf(input, settings, deps);
  const judgement = judgeGate(input, probed, settings);
  const reportKey = `${settings.prefix}${GATE_REPORTS}${input.runId}.json`;
  const report = gateReport(input, judgement, { onInconclusive: settings.onInconclusive, finishedAt: new Date() });
  const outcome: GateOutcome = { runId: input.runId, verdict: judgement.verdict, hookStatus: judgement.hookStatus, reason: judgement.reason, reportKey };
  const tellTopic = settings.topicArn !== undefined && (judgement.hookStatus === 'FAILED' || judgement.verdict !== 'pass');
  const [written, told, answered] = await Promise.allSettled([
    Promise.all([putJson(deps.s3, settings.bucket, reportKey, report.json), deps.s3.send(new PutObjectCommand({ Bucket: settings.bucket, Key: reportKey.replace(/\.json$/, '.md'), Body: report.markdown, ContentType: 'text/markdown; charset=utf-8' }))]),
    tellTopic ? deps.sns.send(new PublishCommand({ TopicArn: settings.topicArn, Subject: `idle-canary gate ${judgement.hookStatus}: ${subjectName(input.subject)}`.slice(0, SUBJECT_MAX), Message: `${judgement.reason}\n\nReport: s3://${settings.bucket}/${reportKey}` })) : Promise.resolve(),
    answerCodeDeploy(input, judgement.hookStatus, deps.codeDeploy),
  ]);
  // The answer a person acts on, in the logs too: a FAILED gate is an error of the deployment, not of the gate.
  logger[judgement.hookStatus === 'FAILED' ? 'error' : 'info']('gate concluded', { ...outcome, subject: input.subject });
  if (written.status === 'rejected') logger.error('gate report not written', { reportKey, error: written.reason as Error });
  if (told.status === 'rejected') logger.error('gate notification not sent', { topicArn: settings.topicArn, error: told.reason as Error });
  if (answered.status === 'rejected') throw answered.reason;
  return outcome;
}

/** The probe's result: the probe function's, its caught failure, or the long probe's from S3. */
async function probedOf(input: GateConcludeInput, settings: ConcludeSettings, deps: ConcludeDependencies): Promise<ShardResult | ShardFailure | undefined> {
  if (input.mode === 'long' && input.long !== undefined) return (await readLongResults(deps.s3, settings.bucket, input.long))[0];
  if (input.probeError !== undefined) return { shardId: 0, vpcId: input.shard?.vpcId ?? '', error: { Error: input.probeError.Error ?? 'Error', Cause: input.probeError.Cause } };
  return input.probed;
}

/** CodeDeploy's status, reported once: a repeated step finds it reported and is done. */
async function answerCodeDeploy(input: GateConcludeInput, hookStatus: GateOutcome['hookStatus'], codeDeploy: CodeDeployClient): Promise<void> {
  if (input.subject.system !== 'codedeploy') return;
  const { deploymentId, hookExecutionId } = input.subject;
  try {
    await codeDeploy.send(new PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId: hookExecutionId, status: hookStatus === 'SUCCEEDED' ? 'Succeeded' : 'Failed' }));
  } catch (error) {
    if (error instanceof LifecycleEventAlreadyCompletedException) return logger.warn('CodeDeploy hook already answered', { deploymentId });
    throw new Error(`PutLifecycleEventHookExecutionStatus: ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
}
