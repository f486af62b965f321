/**
 * The dashboard: headroom per load balancer (per phase in the detailed set), runs, failures,
 * probe errors and, with access logs, hang-ups; only metrics of the set published.
 */
import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { insightsQuery, METRIC, publishes, type MetricDefinition, type MetricSet } from '../lambda/metrics/names';
import { ALARMED, GROUP_BY_LIMIT, HANGUPS_WATCHED, watchedMetric } from './alarms';

/** Props of the dashboard. */
export interface CanaryDashboardProps {
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** The metric set published: the graphs show only its metrics. */
  readonly metrics: MetricSet;
  /** The schedule's period, in minutes: one point per run. */
  readonly periodMinutes: number;
  /**
   * Whether the access logs' hang-ups are graphed.
   * @default false
   */
  readonly readsAccessLogs?: boolean;
}

/** The headroom graphs of each set: title and metric. */
const HEADROOM: Record<MetricSet, ReadonlyArray<readonly [string, MetricDefinition]>> = {
  lean: [['Headroom by load balancer, smaller of the two phases (s)', METRIC.headroom]],
  detailed: [
    ['Pre-request headroom by load balancer (s)', METRIC.preRequestHeadroom],
    ['Keep-alive headroom by load balancer (s)', METRIC.keepAliveHeadroom],
  ],
};

/**
 * The dashboard (`Dashboard`), named after this construct's path, unique per stack.
 *
 * Why named: dashboards are named per account, and CloudFormation's generated names are not
 * readable in the console's list; a moved construct is a new name, never a clash.
 *
 * @example
 * new CanaryDashboard(this, 'CanaryDashboard', { namespace: 'IdleCanary', metrics: 'lean', periodMinutes: 15 });
 */
export class CanaryDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: CanaryDashboardProps) {
    super(scope, id);
    const { namespace, metrics } = props;
    const period = Duration.minutes(props.periodMinutes);
    const headrooms = HEADROOM[metrics];
    const headroom = ([title, metric]: readonly [string, MetricDefinition]) =>
      new cloudwatch.GraphWidget({
        title,
        left: [new cloudwatch.MathExpression({ expression: insightsQuery('MIN', metric, namespace, { order: 'ASC', limit: GROUP_BY_LIMIT }), period, label: metric.name })],
        leftAnnotations: [{ value: 0, label: 'load balancer idle timeout', color: '#d62728' }],
        width: 24 / headrooms.length,
      });
    const fleet = (metric: MetricDefinition, statistic: string) => new cloudwatch.Metric({ namespace, metricName: metric.name, statistic, period });
    const counts: Array<readonly [string, cloudwatch.IMetric]> = [
      ['Runs completed', fleet(METRIC.runCompleted, 'Sum')],
      ['Load balancers failing', fleet(METRIC.loadBalancersFailing, 'Maximum')],
      ...(publishes(metrics, METRIC.loadBalancersInconclusive) ? [['Load balancers inconclusive', fleet(METRIC.loadBalancersInconclusive, 'Maximum')] as const] : []),
      ['Probe errors', watchedMetric(ALARMED[metrics].probeErrors, namespace, period)],
    ];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: Names.uniqueResourceName(this, { maxLength: 255, separator: '-' }),
      widgets: [
        headrooms.map(headroom),
        counts.map(([title, metric]) => new cloudwatch.GraphWidget({ title, left: [metric], width: 24 / counts.length })),
        ...(props.readsAccessLogs === true ? [[new cloudwatch.GraphWidget({ title: 'Backend hang-ups by load balancer (access logs)', left: [watchedMetric(HANGUPS_WATCHED, namespace, period)], width: 24 })]] : []),
      ],
    });
  }
}
