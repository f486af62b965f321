/**
 * The alarms: failing load balancers, the heartbeat, probe errors and, with access logs,
 * backend hang-ups.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { insightsQuery, METRIC, type MetricDefinition, type MetricSet } from '../lambda/metrics/names';
import { REPORT_PREFIX } from './reports';
import { PROBE_ERRORS_PERIODS } from '../lambda/shared/settings';

/**
 * Load balancer series a `GROUP BY` alarm evaluates: Metrics Insights returns at most 500, so
 * the queries order them worst first.
 */
export const GROUP_BY_LIMIT = 500;

/** A metric an alarm watches, and how its values combine. */
export interface WatchedMetric {
  readonly metric: MetricDefinition;
  readonly statistic: 'MAX' | 'SUM';
  /** Each load balancer its own contributor (a Metrics Insights `GROUP BY`, worst first). */
  readonly groupBy?: boolean;
}

/**
 * What the failing and probe-error alarms watch in each metric set.
 *
 * Why the sets differ: the detailed set's per-load-balancer metrics let Metrics Insights make
 * each load balancer a contributor, but such an alarm is billed per series it analyzes, one per
 * load balancer; the lean set's alarms watch one fleet series each, and the report names the
 * load balancers. The cost model (`cost.ts`) counts the series from this table.
 *
 * @example
 * ALARMED.lean.failing.metric.name; // 'LoadBalancersFailing'
 */
export const ALARMED = {
  lean: {
    failing: { metric: METRIC.loadBalancersFailing, statistic: 'MAX' },
    probeErrors: { metric: METRIC.fleetProbeErrors, statistic: 'SUM' },
  },
  detailed: {
    failing: { metric: METRIC.backendsFailing, statistic: 'MAX', groupBy: true },
    probeErrors: { metric: METRIC.probeErrors, statistic: 'SUM' },
  },
} as const satisfies Record<MetricSet, Record<'failing' | 'probeErrors', WatchedMetric>>;

/** What the hang-up alarm watches, whatever the set: each load balancer its own contributor. */
export const HANGUPS_WATCHED = { metric: METRIC.backendHangups, statistic: 'SUM', groupBy: true } as const satisfies WatchedMetric;

/** CloudWatch's statistic for a Metrics Insights aggregate. */
const STATISTIC = { MAX: 'Maximum', SUM: 'Sum' } as const;

/**
 * A watched metric as a graph or an alarm reads it: a fleet metric as it is, a per-load-balancer
 * one through a Metrics Insights query.
 *
 * @example
 * watchedMetric(ALARMED.lean.probeErrors, 'IdleCanary', Duration.minutes(15)); // FleetProbeErrors, Sum
 */
export function watchedMetric({ metric, statistic, groupBy }: WatchedMetric, namespace: string, period: Duration): cloudwatch.IMetric {
  if (!metric.perLoadBalancer) return new cloudwatch.Metric({ namespace, metricName: metric.name, statistic: STATISTIC[statistic], period });
  const expression = insightsQuery(statistic, metric, namespace, groupBy === true ? { order: 'DESC', limit: GROUP_BY_LIMIT } : undefined);
  return new cloudwatch.MathExpression({ expression, period, label: metric.name });
}

/**
 * Series an alarm on this metric is billed for: one per load balancer for a Metrics Insights
 * query over a per-load-balancer metric, one otherwise.
 *
 * @example
 * seriesAnalyzed(ALARMED.detailed.failing.metric, 100); // 100
 */
export function seriesAnalyzed(metric: MetricDefinition, loadBalancers: number): number {
  return metric.perLoadBalancer ? loadBalancers : 1;
}

/**
 * Runs that must have started before the heartbeat may alarm: the second start comes a
 * schedule period after the first, so the first run has had its whole time to complete.
 */
const HEARTBEAT_ARMING_STARTS = 2;

/** Props of the alarms. */
export interface CanaryAlarmsProps {
  /** The topic notified of ALARM (and of OK with `okNotifications`). */
  readonly topic: sns.ITopic;
  /** The reports bucket, named in the descriptions. */
  readonly bucket: s3.IBucket;
  /** The run state machine, whose started executions arm the heartbeat. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * What every alarm's name starts with, followed by `-` and the alarm.
   * @default the stack's name
   */
  readonly alarmNamePrefix?: string;
  /**
   * Whether the topic also hears when an alarm returns to OK.
   * @default false
   */
  readonly okNotifications?: boolean;
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** The metric set published: the alarms watch only its metrics (`ALARMED`). */
  readonly metrics: MetricSet;
  /** The schedule's period, in minutes. */
  readonly periodMinutes: number;
  /**
   * Hang-ups on one load balancer within 5 minutes that raise the hang-up alarm.
   * @default no hang-up alarm (access logs are not read)
   */
  readonly hangupsThreshold?: number;
}

/**
 * The alarms, each named `<prefix>-<what it watches>`, so that a notification says which
 * monitor speaks and of what.
 *
 * Why only ALARM notifies by default: an OK for every alarm doubles the mail, and the change
 * notifications already say what recovered; `okNotifications` adds them. The per-load-balancer
 * alarms watch only the metrics of the set published (`ALARMED`); those on per-load-balancer
 * metrics are Metrics Insights queries, so each load balancer is a contributor of its own.
 *
 * @example
 * const alarms = new CanaryAlarms(this, 'CanaryAlarms', { topic, bucket, stateMachine, namespace: 'IdleCanary', metrics: 'lean', periodMinutes: 15 });
 * alarms.heartbeat.alarmArn;
 */
export class CanaryAlarms extends Construct {
  public readonly loadBalancersFailing: cloudwatch.Alarm;
  /** The heartbeat that notifies: no run completed, once runs have had time to complete (see `heartbeatAlarm`). */
  public readonly heartbeat: cloudwatch.CompositeAlarm;
  public readonly probeErrors: cloudwatch.Alarm;
  /** Set when `hangupsThreshold` is given. */
  public readonly hangups?: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: CanaryAlarmsProps) {
    super(scope, id);
    const { namespace, periodMinutes, hangupsThreshold } = props;
    const period = Duration.minutes(periodMinutes);
    const prefix = props.alarmNamePrefix ?? Stack.of(this).stackName;
    const notify = (created: cloudwatch.AlarmBase) => {
      created.addAlarmAction(new actions.SnsAction(props.topic));
      if (props.okNotifications === true) created.addOkAction(new actions.SnsAction(props.topic));
      return created;
    };
    const alarm = (alarmId: string, alarmProps: Omit<cloudwatch.AlarmProps, 'alarmName'>) => notify(new cloudwatch.Alarm(this, alarmId, { ...alarmProps, alarmName: `${prefix}-${alarmId}` })) as cloudwatch.Alarm;
    /** A watched metric above zero. */
    const aboveZero = (watched: WatchedMetric, evaluationPeriods: number) => ({
      metric: watchedMetric(watched, namespace, period),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const watched: Readonly<Record<'failing' | 'probeErrors', WatchedMetric>> = ALARMED[props.metrics];
    this.loadBalancersFailing = alarm(METRIC.loadBalancersFailing.name, {
      alarmDescription:
        'A load balancer has backends that drop idle connections sooner than its idle timeout (plus margin): clients get intermittent 502/504s. ' +
        `${watched.failing.groupBy === true ? 'Each failing load balancer is a contributor' : 'The report names the failing load balancers'}. Open the latest report (s3://${props.bucket.bucketName}/${REPORT_PREFIX}runs/) for the backend, the measured limit and the setting to change; ` +
        'raise the backend keep-alive/header timeout above the load balancer idle timeout, or lower the idle timeout.',
      ...aboveZero(watched.failing, 1),
    });
    this.heartbeat = notify(heartbeatAlarm(this, { ...props, prefix, period })) as cloudwatch.CompositeAlarm;
    this.probeErrors = alarm(METRIC.probeErrors.name, {
      alarmDescription:
        'Backends could not be probed in two runs in a row (refused, unreachable, TLS, AWS calls failing or shards timing out): their load balancers are unjudged. ' +
        'Check the report for the error of each backend, the probe security group and the discover logs.',
      ...aboveZero(watched.probeErrors, PROBE_ERRORS_PERIODS),
    });
    if (hangupsThreshold !== undefined) {
      this.hangups = alarm('Hangups', {
        alarmDescription:
          `At least ${hangupsThreshold} requests in 5 minutes died on one load balancer because its backend had already closed the connection (access logs: 502/504 with no backend response). ` +
          'Each load balancer is a contributor. Compare with its probe verdict in the latest report: a backend idle limit below the load balancer idle timeout is the cause; raise the backend keep-alive/header timeout above it.',
        metric: watchedMetric(HANGUPS_WATCHED, namespace, Duration.minutes(5)),
        threshold: hangupsThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // Log objects arrive about 5 minutes after their lines: one period out of three.
        evaluationPeriods: 3,
        datapointsToAlarm: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
  }
}

/**
 * The heartbeat: a composite alarm, in ALARM when no run completed within two schedule periods
 * (`Heartbeat`, missing data breaching) while runs are being started (`HeartbeatArmed`: at
 * least `HEARTBEAT_ARMING_STARTS` periods of the last day had an execution start).
 *
 * Why a composite, in CloudFormation alone: a metric alarm on `RunCompleted` alone cannot tell
 * "just deployed" from "stopped": both are missing data, and treated as breaching it went to
 * ALARM minutes after the first deploy. The state machine's own `ExecutionsStarted` says runs
 * are being started; the second start comes a period after the first, by when the first run has
 * had its whole time to complete. So the heartbeat is quiet after a deploy and alarms when runs
 * start but none completes (discover or publish failing, a run timing out), the failure it is
 * for. A schedule that never starts anything is left to the daily digest, which says that no
 * run has completed yet (and stays armed a day after the last start, so a schedule that stops is
 * still heard).
 */
function heartbeatAlarm(scope: Construct, props: CanaryAlarmsProps & { readonly prefix: string; readonly period: Duration }): cloudwatch.CompositeAlarm {
  const { namespace, periodMinutes, prefix, period } = props;
  const noRun = new cloudwatch.Alarm(scope, 'Heartbeat', {
    alarmName: `${prefix}-Heartbeat-NoRunCompleted`,
    alarmDescription: `No idle-canary run completed within two schedule periods (${2 * periodMinutes} minutes). Part of ${prefix}-Heartbeat, which notifies.`,
    metric: new cloudwatch.Metric({ namespace, metricName: METRIC.runCompleted.name, statistic: 'Sum', period }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
  });
  // A day of periods: CloudWatch evaluates at most a day for periods under an hour.
  const dayOfPeriods = Math.floor((24 * 60) / periodMinutes);
  const armed = new cloudwatch.Alarm(scope, 'HeartbeatArmed', {
    alarmName: `${prefix}-Heartbeat-RunsStarted`,
    alarmDescription: `idle-canary runs were started in at least ${HEARTBEAT_ARMING_STARTS} schedule periods of the last day: the first run has had time to complete. Part of ${prefix}-Heartbeat, which notifies.`,
    metric: props.stateMachine.metricStarted({ statistic: 'Sum', period }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: dayOfPeriods,
    datapointsToAlarm: HEARTBEAT_ARMING_STARTS,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return new cloudwatch.CompositeAlarm(scope, 'HeartbeatAfterFirstRun', {
    compositeAlarmName: `${prefix}-Heartbeat`,
    alarmDescription:
      `Runs are started but none completed within two schedule periods (${2 * periodMinutes} minutes): the monitor itself is failing, so failures would go unseen. ` +
      'Check the state machine executions and the discover/publish logs. Quiet after a deploy until the first run has had time to complete.',
    alarmRule: cloudwatch.AlarmRule.allOf(cloudwatch.AlarmRule.fromAlarm(noRun, cloudwatch.AlarmState.ALARM), cloudwatch.AlarmRule.fromAlarm(armed, cloudwatch.AlarmState.ALARM)),
  });
}
