/**
 * The hang-ups and requests each load balancer logged recently, read back from CloudWatch, to
 * put next to its probe verdict in the run report.
 *
 * Why from CloudWatch: the counter publishes there as each log object arrives; reading the
 * sums back needs no state of its own, and one Metrics Insights query covers every load
 * balancer.
 */
import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { METRIC, insightsQuery, type MetricDefinition } from '../metrics/names';
import type { Counts } from './tally';

/** What a report shows: counts per load balancer over a window. */
export interface RecentHangups {
  readonly windowMinutes: number;
  /** By the metrics' `LoadBalancer` dimension value (`loadBalancerDimension`): an ALB's is `app/NAME/ID`. */
  readonly byLoadBalancer: Readonly<Record<string, Counts>>;
  /** Set when CloudWatch could not be read: the report says so instead of showing zeros. */
  readonly error?: string;
}

/** Defaults of the query, merged once. */
export const defaults = {
  windowMinutes: 60,
} as const;

/**
 * Sums `BackendHangups` and `RequestsLogged` per load balancer over the last window.
 *
 * Metrics Insights returns at most 500 series per query: the 500 load balancers with the most
 * hang-ups, and the 500 with the most requests.
 *
 * @example
 * const recent = await readRecentHangups(new CloudWatchClient({}), 'IdleCanary', new Date());
 * recent.byLoadBalancer['my-elb']; // { requests: 12345, hangups: 37 }
 */
export async function readRecentHangups(cloudWatch: CloudWatchClient, namespace: string, now: Date, windowMinutes: number = defaults.windowMinutes): Promise<RecentHangups> {
  const query = (metric: MetricDefinition) => insightsQuery('SUM', metric, namespace, { order: 'DESC', limit: 500 });
  const byLoadBalancer: Record<string, Counts> = {};
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - windowMinutes * 60_000),
        EndTime: now,
        // Each query's id is the field of `Counts` its sums go to.
        MetricDataQueries: [
          { Id: 'hangups', Expression: query(METRIC.backendHangups), Period: 300 },
          { Id: 'requests', Expression: query(METRIC.requestsLogged), Period: 300 },
        ],
        NextToken,
      }),
    );
    for (const { Id, Label, Values } of page.MetricDataResults ?? []) {
      if (Label === undefined || (Id !== 'hangups' && Id !== 'requests')) continue;
      const counts = (byLoadBalancer[Label] ??= { requests: 0, hangups: 0 });
      counts[Id] += (Values ?? []).reduce((sum, value) => sum + value, 0);
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return { windowMinutes, byLoadBalancer };
}
