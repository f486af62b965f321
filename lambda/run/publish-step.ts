/**
 * The state machine's last step: judge the run, put the metrics, write the reports, notify
 * changes, and sum it up for the execution's output.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { defaults as recentDefaults, readRecentHangups, type RecentHangups } from '../access-logs/recent';
import { defaults as publishDefaults, type MetricSet } from '../metrics';
import type { ProbeResult } from '../probe';
import { changeNotification, compareRuns } from '../report/changes';
import { readLatest, reportLinks, writeReports } from '../report/store';
import { logger } from '../shared/logger';
import { unreachableBackends } from '../judge/unreachable';
import { concludeRun } from './pipeline';
import { readDiscovery, readDistributedResults, readLongResults } from './store';
import type { PublishInput, ShardFailure, ShardResult } from './types';

/** How a deployed run is published (the handler reads them from its variables). */
export interface PublishSettings {
  readonly bucket: string;
  readonly prefix: string;
  /** The metrics' namespace; the default namespace when unset. */
  readonly namespace?: string;
  /** The metric set to publish; the default set when unset. */
  readonly metrics?: MetricSet;
  /** Margin for load balancers without an `idle-canary:margin` tag. */
  readonly marginS: number;
  /** Access logs are counted: the report shows the recent hang-ups. */
  readonly accessLogs: boolean;
  /** Where changes are notified; a missing topic is logged, never fatal to the metrics. */
  readonly topicArn?: string;
  /** The state machine's ARN, for the run's link; no link when unset. */
  readonly stateMachineArn?: string;
  /** The dashboard's name, for its link; no link when unset. */
  readonly dashboardName?: string;
}

/**
 * The run's discovery, whole plan and shard outcomes, whichever way the results travelled.
 * Backends in the plan with no outcome (deferred, or in a lost shard) are judged probe errors.
 */
async function runOf(run: PublishInput, s3: S3Client, bucket: string) {
  const read = await lambdaRunOf(run, s3, bucket);
  // Long probes (ECS Fargate) wrote their results under the run's prefix: judged the same way.
  if (run.long === undefined) return read;
  return { ...read, shardResults: [...read.shardResults, ...(await readLongResults(s3, bucket, run.long, run.longResults))] };
}

/** The run as the probe functions left it: inline in the state, or in the Distributed Maps' result files. */
async function lambdaRunOf(run: PublishInput, s3: S3Client, bucket: string) {
  if (run.mode === 'distributed') {
    const [read, shardResults] = await Promise.all([readDiscovery(s3, bucket, run.discoveryKey), readDistributedResults(s3, bucket, run)]);
    return { ...read, shardResults };
  }
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
  /** What the run request asked to probe, in a few words; absent for a run of the configured selection. */
  readonly selection?: string;
  readonly verdict: string;
  readonly loadBalancers: number;
  /** Failing load balancers: the first `SUMMARY_LIST_MAX` names, and how many there are. */
  readonly failing: readonly string[];
  readonly failingCount: number;
  /** Failed shards: the first `SUMMARY_LIST_MAX`, each error cut to `SUMMARY_ERROR_MAX` characters, and how many there are. */
  readonly shardFailures: ReadonlyArray<{ readonly shardId: number; readonly vpcId?: string; readonly error: string }>;
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
export async function publishRun(run: PublishInput, settings: PublishSettings, deps: PublishDependencies): Promise<PublishSummary> {
  const { bucket, prefix, namespace } = settings;
  const { discovery, plan, shardResults } = await runOf(run, deps.s3, bucket);
  const resultByKey = new Map<string, ProbeResult>(shardResults.filter(isResult).flatMap((r) => r.results.map((x) => [x.key, x.result] as const)));
  // A run of a selection sees part of the scope: its fleet counts would move the stack's alarms, and its
  // report is no baseline for the next run. It publishes no metric and leaves latest.* as they are.
  const selected = run.selection !== undefined;
  const { verdicts, metrics, report } = await concludeRun(
    discovery,
    plan,
    plan.map((item) => resultByKey.get(item.key)),
    {
      startedAt: new Date(run.startedAt),
      marginS: settings.marginS,
      ...(selected ? {} : { cloudWatch: deps.cloudWatch }),
      namespace,
      // The deployed run is the one whose heartbeat the stack's alarm watches.
      heartbeat: true,
      metrics: settings.metrics,
      ...(settings.accessLogs ? { recentHangups: (finishedAt: Date) => recentHangups(deps.cloudWatch, namespace, finishedAt) } : {}),
    },
  );

  const previous = selected
    ? null
    : await readLatest(deps.s3, bucket, prefix).catch((error: Error) => {
        logger.error('previous run not read: no change detection this run', { error });
        return null;
      });
  const changes = selected ? [] : compareRuns(previous, report);
  const place = {
    ...(settings.stateMachineArn ? { execution: { stateMachineArn: settings.stateMachineArn, runId: run.runId } } : {}),
    ...(settings.dashboardName ? { dashboardName: settings.dashboardName } : {}),
  };
  const stored = await writeReports(deps.s3, bucket, prefix, run.runId, report, changes, place, { latest: !selected }).catch((error: Error) => {
    logger.error('run reports not written', { error });
    return null;
  });
  const unwritten = reportLinks(bucket, prefix, run.runId, report, place);
  const notification = changeNotification(changes, report, stored?.links ?? { ...unwritten, reportUri: `${unwritten.reportUri} (not written)` });
  let notified = false;
  if (notification !== null) {
    try {
      if (settings.topicArn === undefined) throw new Error('no topic to notify: the stack sets one');
      await deps.sns.send(new PublishCommand({ TopicArn: settings.topicArn, Subject: notification.subject, Message: notification.message }));
      notified = true;
    } catch (error) {
      logger.error('change notification not sent', { error: error as Error, notification });
    }
  }

  const shardFailures = shardResults.filter((r): r is ShardFailure => !isResult(r)).map((f) => ({ shardId: f.shardId, ...(f.vpcId !== undefined ? { vpcId: f.vpcId } : {}), error: shorten(`${f.error.Error}${f.error.Cause ? `: ${f.error.Cause}` : ''}`) }));
  const failing = verdicts.filter((v) => v.verdict === 'fail').map((v) => v.name);
  const summary: PublishSummary = {
    runId: run.runId,
    ...(run.selection !== undefined ? { selection: run.selection } : {}),
    verdict: report.verdict,
    loadBalancers: verdicts.length,
    failing: failing.slice(0, SUMMARY_LIST_MAX),
    failingCount: failing.length,
    shardFailures: shardFailures.slice(0, SUMMARY_LIST_MAX),
    shardFailureCount: shardFailures.length,
    metricsPublished: metrics?.published ?? 0,
    metricsFailed: metrics?.failed.reduce((sum, f) => sum + f.datums, 0) ?? 0,
    report: stored?.json ?? null,
    changes: changes.length,
    notified,
  };
  (summary.metricsFailed > 0 || shardFailures.length > 0 ? logger.error.bind(logger) : logger.info.bind(logger))('published', { ...summary, metricErrors: metrics?.failed ?? [] });
  const unreachable = unreachableBackends(verdicts);
  if (unreachable.length > 0) logger.warn('backends the probe did not reach', { runId: run.runId, count: unreachable.length, backends: unreachable.slice(0, SUMMARY_LIST_MAX) });
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

