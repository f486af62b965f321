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
import { insightsQuery, METRIC } from '../lambda/metrics/names';
import { REPORT_PREFIX } from './reports';
import { PROBE_ERRORS_PERIODS } from './schedule';

/**
 * Load balancer series a `GROUP BY` alarm evaluates: Metrics Insights returns at most 500, so
 * the queries order them worst first.
 */
export const GROUP_BY_LIMIT = 500;

/** Props of the alarms. */
export interface CanaryAlarmsProps {
  /** The topic notified of ALARM and OK. */
  readonly topic: sns.ITopic;
  /** The reports bucket, named in the descriptions. */
  readonly bucket: s3.IBucket;
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** The schedule's period, in minutes. */
  readonly periodMinutes: number;
  /**
   * Hang-ups on one load balancer within 5 minutes that raise the hang-up alarm.
   * @default no hang-up alarm (access logs are not read)
   */
  readonly hangupsThreshold?: number;
}

/**
 * The alarms, each named after the metric it watches.
 *
 * Why ALARM and OK both notify: on-call also learns of recoveries. The per-load-balancer alarms
 * are Metrics Insights queries, so each load balancer is a contributor of its own.
 *
 * @example
 * const alarms = new CanaryAlarms(this, 'CanaryAlarms', { topic, bucket, namespace: 'IdleCanary', periodMinutes: 15 });
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
    /** A Metrics Insights query over the per-load-balancer metrics, above zero. */
    const aboveZero = (expression: string, label: string, evaluationPeriods: number) => ({
      metric: new cloudwatch.MathExpression({ expression, period, label }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const worstFirst = { order: 'DESC', limit: GROUP_BY_LIMIT } as const;
    this.loadBalancersFailing = alarm(METRIC.loadBalancersFailing.name, {
      alarmDescription:
        'A load balancer has backends that drop idle connections sooner than its idle timeout (plus margin): clients get intermittent 502/504s. ' +
        `Each failing load balancer is a contributor. Open the latest report (s3://${props.bucket.bucketName}/${REPORT_PREFIX}runs/) for the backend, the measured limit and the setting to change; ` +
        'raise the backend keep-alive/header timeout above the load balancer idle timeout, or lower the idle timeout.',
      ...aboveZero(insightsQuery('MAX', METRIC.backendsFailing, namespace, worstFirst), METRIC.backendsFailing.name, 1),
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
      ...aboveZero(insightsQuery('SUM', METRIC.probeErrors, namespace), METRIC.probeErrors.name, PROBE_ERRORS_PERIODS),
    });
    if (hangupsThreshold !== undefined) {
      this.hangups = alarm('Hangups', {
        alarmDescription:
          `At least ${hangupsThreshold} requests in 5 minutes died on one load balancer because its backend had already closed the connection (access logs: 502/504 with no backend response). ` +
          'Each load balancer is a contributor. Compare with its probe verdict in the latest report: a backend idle limit below the load balancer idle timeout is the cause; raise the backend keep-alive/header timeout above it.',
        metric: new cloudwatch.MathExpression({ expression: insightsQuery('SUM', METRIC.backendHangups, namespace, worstFirst), period: Duration.minutes(5), label: METRIC.backendHangups.name }),
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
