/**
 * The alarms: failing load balancers, the heartbeat, probe errors and, with access logs,
 * backend hang-ups.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { insightsQuery, METRIC, type MetricDefinition, type MetricSet } from '../lambda/metrics/names';
import { REPORT_PREFIX } from './reports';
import { PROBE_ERRORS_PERIODS } from './schedule';

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

/** Props of the alarms. */
export interface CanaryAlarmsProps {
  /** The topic notified of ALARM and OK. */
  readonly topic: sns.ITopic;
  /** The reports bucket, named in the descriptions. */
  readonly bucket: s3.IBucket;
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
 * The alarms, each named after the metric it watches, on the metrics of the set published.
 *
 * Why ALARM and OK both notify: on-call also learns of recoveries. The alarms on
 * per-load-balancer metrics are Metrics Insights queries, so each load balancer is a
 * contributor of its own.
 *
 * @example
 * const alarms = new CanaryAlarms(this, 'CanaryAlarms', { topic, bucket, namespace: 'IdleCanary', metrics: 'lean', periodMinutes: 15 });
 * alarms.heartbeat.alarmArn;
 */
export class CanaryAlarms extends Construct {
  public readonly loadBalancersFailing: cloudwatch.Alarm;
  public readonly heartbeat: cloudwatch.Alarm;
  public readonly probeErrors: cloudwatch.Alarm;
  /** Set when `hangupsThreshold` is given. */
  public readonly hangups?: cloudwatch.Alarm;

  public constructor(scope: Construct, id: string, props: CanaryAlarmsProps) {
    super(scope, id);
    const { namespace, periodMinutes, hangupsThreshold } = props;
    const period = Duration.minutes(periodMinutes);
    const alarm = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, alarmProps);
      created.addAlarmAction(new actions.SnsAction(props.topic));
      created.addOkAction(new actions.SnsAction(props.topic));
      return created;
    };
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
    this.heartbeat = alarm('Heartbeat', {
      alarmDescription:
        `No idle-canary run completed within two schedule periods (${2 * periodMinutes} minutes): the monitor itself is down, so failures would go unseen. ` +
        'Check the state machine executions and the discover/publish logs.',
      metric: new cloudwatch.Metric({ namespace, metricName: METRIC.runCompleted.name, statistic: 'Sum', period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
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
