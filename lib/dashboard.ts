/**
 * The dashboard: headroom per load balancer and phase, runs, failures, probe errors and, with
 * access logs, hang-ups.
 */
import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { insightsQuery, METRIC, type MetricDefinition } from '../lambda/metrics/names';
import { GROUP_BY_LIMIT } from './alarms';

/** Props of the dashboard. */
export interface CanaryDashboardProps {
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  /** The schedule's period, in minutes: one point per run. */
  readonly periodMinutes: number;
  /**
   * Whether the access logs' hang-ups are graphed.
   * @default false
   */
  readonly readsAccessLogs?: boolean;
}

/**
 * The dashboard (`Dashboard`), named after this construct's path, unique per stack.
 *
 * Why named: dashboards are named per account, and CloudFormation's generated names are not
 * readable in the console's list; a moved construct is a new name, never a clash.
 *
 * @example
 * new CanaryDashboard(this, 'CanaryDashboard', { namespace: 'IdleCanary', periodMinutes: 15 });
 */
export class CanaryDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  public constructor(scope: Construct, id: string, props: CanaryDashboardProps) {
    super(scope, id);
    const { namespace } = props;
    const period = Duration.minutes(props.periodMinutes);
    const query = (expression: string, label: string) => new cloudwatch.MathExpression({ expression, period, label });
    const headroom = (title: string, metric: MetricDefinition) =>
      new cloudwatch.GraphWidget({
        title,
        left: [query(insightsQuery('MIN', metric, namespace, { order: 'ASC', limit: GROUP_BY_LIMIT }), metric.name)],
        leftAnnotations: [{ value: 0, label: 'load balancer idle timeout', color: '#d62728' }],
        width: 12,
      });
    const fleet = (metric: MetricDefinition, statistic: string) => new cloudwatch.Metric({ namespace, metricName: metric.name, statistic, period });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: Names.uniqueResourceName(this, { maxLength: 255, separator: '-' }),
      widgets: [
        [headroom('Pre-request headroom by load balancer (s)', METRIC.preRequestHeadroom), headroom('Keep-alive headroom by load balancer (s)', METRIC.keepAliveHeadroom)],
        [
          new cloudwatch.GraphWidget({ title: 'Runs completed', left: [fleet(METRIC.runCompleted, 'Sum')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Load balancers failing', left: [fleet(METRIC.loadBalancersFailing, 'Maximum')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Probe errors', left: [query(insightsQuery('SUM', METRIC.probeErrors, namespace), METRIC.probeErrors.name)], width: 8 }),
        ],
        ...(props.readsAccessLogs === true
          ? [[new cloudwatch.GraphWidget({ title: 'Backend hang-ups by load balancer (access logs)', left: [query(insightsQuery('SUM', METRIC.backendHangups, namespace, { order: 'DESC', limit: GROUP_BY_LIMIT }), METRIC.backendHangups.name)], width: 24 })]]
          : []),
      ],
    });
  }
}
