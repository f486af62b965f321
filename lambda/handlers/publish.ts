/**
 * The publish step: judge the run, put the metrics, write the reports, notify changes.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { defaults as recentDefaults, readRecentHangups, type RecentHangups } from '../access-logs/recent';
import { defaults as publishDefaults } from '../metrics';
import type { ProbeResult } from '../probe';
import { changeNotification, compareRuns } from '../report/changes';
import { readLatest, writeReports } from '../report/store';
import { readDiscovery, readDistributedResults, readLongResults } from '../run/store';
import type { PublishInput, ShardFailure, ShardResult } from '../run/types';
import { concludeRun } from '../run/pipeline';
import { ENV, envString, settingFromEnv } from './config';
import { logger } from '../shared/logger';
import { validator } from './validate';

const check = validator('publish');
const inline = check.fields({
  runId: check.string,
  startedAt: check.string,
  discoveryKey: check.string,
  shards: check.array(check.fields({ shardId: check.integer(0, 1_000_000), vpcId: check.string, items: check.array(check.object) })),
  shardResults: check.array(check.object),
});
const distributed = check.fields({
  runId: check.string,
  startedAt: check.string,
  discoveryKey: check.string,
  plans: check.array(check.fields({ vpcId: check.string, key: check.string })),
  vpcResults: check.array(check.fields({ vpcId: check.string })),
});

const longProbes = check.fields({ long: check.array(check.fields({ vpcId: check.string, resultKey: check.string })), longResults: check.array(check.fields({ vpcId: check.string })) }, ['longResults']);

/**
 * The run's discovery, whole plan and shard outcomes, whichever way the results travelled.
 * Backends in the plan with no outcome (deferred, or in a lost shard) are judged probe errors.
 */
async function runOf(event: unknown, s3: S3Client, bucket: string) {
  const run = await lambdaRunOf(event, s3, bucket);
  // Long probes (ECS Fargate) wrote their results under the run's prefix: judged the same way.
  const { long, longResults } = event as PublishInput;
  if (long === undefined) return run;
  longProbes(event, '');
  return { ...run, shardResults: [...run.shardResults, ...(await readLongResults(s3, bucket, long, longResults))] };
}

/** The run as the probe functions left it: inline in the state, or in the Distributed Maps' result files. */
async function lambdaRunOf(event: unknown, s3: S3Client, bucket: string) {
  if (typeof event === 'object' && event !== null && (event as { mode?: string }).mode === 'distributed') {
    distributed(event, '');
    const run = event as Extract<PublishInput, { mode: 'distributed' }>;
    const [read, shardResults] = await Promise.all([readDiscovery(s3, bucket, run.discoveryKey), readDistributedResults(s3, bucket, run)]);
    return { ...read, shardResults };
  }
  inline(event, '');
  const run = event as Extract<PublishInput, { mode: 'inline' }>;
  return { ...(await readDiscovery(s3, bucket, run.discoveryKey)), shardResults: [...run.shardResults] };
}

/**
 * Names and failures the summary lists: it is the execution's output, held to Step Functions'
 * 256 KiB whatever the size of the fleet (the report in S3 has them all).
 */
export const SUMMARY_LIST_MAX = 50;
export const SUMMARY_ERROR_MAX = 300;

const shorten = (text: string) => (text.length > SUMMARY_ERROR_MAX ? `${text.slice(0, SUMMARY_ERROR_MAX - 3)}...` : text);

/** What publish returns to the state machine: enough to read the outcome of a run at a glance. */
export interface PublishSummary {
  readonly runId: string;
  readonly verdict: string;
  readonly loadBalancers: number;
  /** Failing load balancers: the first `SUMMARY_LIST_MAX` names, and how many there are. */
  readonly failing: readonly string[];
  readonly failingCount: number;
  /** Failed shards: the first `SUMMARY_LIST_MAX`, each error cut to `SUMMARY_ERROR_MAX` characters, and how many there are. */
  readonly shardFailures: ReadonlyArray<{ readonly shardId: number; readonly vpcId: string; readonly error: string }>;
  readonly shardFailureCount: number;
  readonly metricsPublished: number;
  readonly metricsFailed: number;
  /** Key of the run's JSON report; `null` when it could not be written. */
  readonly report: string | null;
  /** Verdicts or limits that changed since the previous run. */
  readonly changes: number;
  /** Whether the change notification went out (there is none when nothing changed). */
  readonly notified: boolean;
}

export interface PublishDependencies {
  readonly cloudWatch: CloudWatchClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
}

/**
 * Judges every load balancer, publishes the metrics, writes the reports and, when a verdict or
 * a limit changed since the previous run, notifies the topic.
 *
 * Why it never gives up early: a failed or timed-out shard leaves its backends without a
 * result, which the judge counts as probe errors (inconclusive, never pass); the others are
 * judged and published, and the heartbeat `RunCompleted` still goes out. A report or a
 * notification that fails is logged and reported, never allowed to hide the metrics.
 */
export async function publishStep(event: unknown, env: NodeJS.ProcessEnv = process.env, deps: PublishDependencies = defaultDependencies()): Promise<PublishSummary> {
  const bucket = envString(env, ENV.bucket);
  const { discovery, plan, shardResults } = await runOf(event, deps.s3, bucket);
  const run = event as PublishInput;
  const resultByKey = new Map<string, ProbeResult>(shardResults.filter(isResult).flatMap((r) => r.results.map((x) => [x.key, x.result] as const)));
  const namespace = env[ENV.namespace] || undefined;
  const { verdicts, metrics, report } = await concludeRun(
    discovery,
    plan,
    plan.map((item) => resultByKey.get(item.key)),
    {
      startedAt: new Date(run.startedAt),
      marginS: settingFromEnv(env, 'marginS'),
      cloudWatch: deps.cloudWatch,
      namespace,
      ...(env[ENV.accessLogs] === 'on' ? { recentHangups: (finishedAt: Date) => recentHangups(deps.cloudWatch, namespace, finishedAt) } : {}),
    },
  );
  const prefix = env[ENV.reportPrefix] ?? '';

  const previous = await readLatest(deps.s3, bucket, prefix).catch((error: Error) => {
    logger.error('previous run not read: no change detection this run', { error });
    return null;
  });
  const changes = compareRuns(previous, report);
  const stored = await writeReports(deps.s3, bucket, prefix, run.runId, report, changes).catch((error: Error) => {
    logger.error('run reports not written', { error });
    return null;
  });
  const notification = changeNotification(changes, report, stored?.url ?? `s3://${bucket}/${prefix}runs/${run.runId}.html (not written)`);
  let notified = false;
  if (notification !== null) {
    try {
      await deps.sns.send(new PublishCommand({ TopicArn: envString(env, ENV.topicArn), Subject: notification.subject, Message: notification.message }));
      notified = true;
    } catch (error) {
      logger.error('change notification not sent', { error: error as Error, notification });
    }
  }

  const shardFailures = shardResults.filter((r): r is ShardFailure => !isResult(r)).map((f) => ({ shardId: f.shardId, vpcId: f.vpcId, error: shorten(`${f.error.Error}${f.error.Cause ? `: ${f.error.Cause}` : ''}`) }));
  const failing = verdicts.filter((v) => v.verdict === 'fail').map((v) => v.name);
  const summary: PublishSummary = {
    runId: run.runId,
    verdict: report.verdict,
    loadBalancers: verdicts.length,
    failing: failing.slice(0, SUMMARY_LIST_MAX),
    failingCount: failing.length,
    shardFailures: shardFailures.slice(0, SUMMARY_LIST_MAX),
    shardFailureCount: shardFailures.length,
    metricsPublished: metrics.published,
    metricsFailed: metrics.failed.reduce((sum, f) => sum + f.datums, 0),
    report: stored?.json ?? null,
    changes: changes.length,
    notified,
  };
  (summary.metricsFailed > 0 || shardFailures.length > 0 ? logger.error.bind(logger) : logger.info.bind(logger))('published', { ...summary, metricErrors: metrics.failed });
  return summary;
}

/** The last hour's hang-ups for the report; a failure is reported in it, never fatal. */
async function recentHangups(cloudWatch: CloudWatchClient, namespace: string | undefined, now: Date): Promise<RecentHangups> {
  try {
    return await readRecentHangups(cloudWatch, namespace ?? publishDefaults.namespace, now);
  } catch (error) {
    logger.error('recent hang-ups not read: the report shows none', { error: error as Error });
    return { windowMinutes: recentDefaults.windowMinutes, byLoadBalancer: {}, error: `GetMetricData: ${(error as Error).name}: ${(error as Error).message}` };
  }
}

function isResult(outcome: ShardResult | ShardFailure): outcome is ShardResult {
  return 'results' in outcome;
}

function defaultDependencies(): PublishDependencies {
  return { cloudWatch: new CloudWatchClient({}), s3: new S3Client({}), sns: new SNSClient({}) };
}

export const handler = middy((event: unknown) => publishStep(event)).use(injectLambdaContext(logger));
