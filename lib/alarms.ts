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
import { insightsQuery, METRIC } from '../lambda/metrics/names';
import { REPORT_PREFIX } from './reports';
import { PROBE_ERRORS_PERIODS } from './schedule';

/**
 * Load balancer series a `GROUP BY` alarm evaluates: Metrics Insights returns at most 500, so
 * the queries order them worst first.
 */
export const GROUP_BY_LIMIT = 500;

/**
 * Runs that must have started before the heartbeat may alarm: the second start comes a
 * schedule period after the first, so the first run has had its whole time to complete.
 */
export const HEARTBEAT_ARMING_STARTS = 2;

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
 * alarms are Metrics Insights queries, so each load balancer is a contributor of its own.
 *
 * @example
 * const alarms = new CanaryAlarms(this, 'CanaryAlarms', { topic, bucket, stateMachine, namespace: 'IdleCanary', periodMinutes: 15 });
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
    this.heartbeat = notify(heartbeatAlarm(this, { ...props, prefix, period })) as cloudwatch.CompositeAlarm;
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
