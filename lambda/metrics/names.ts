/**
 * Every CloudWatch metric idle-canary publishes: name, unit and dimension, defined once.
 *
 * Why one module: the producers (`datums.ts`, `../access-logs/datums.ts`), the report's
 * read-back (`../access-logs/recent.ts`), the construct's alarms and dashboard (`lib/`) and the
 * contract test all import these, so a renamed metric cannot leave an alarm watching nothing.
 * The names are a contract (docs/CONTRACTS.md): extend, never rename.
 *
 * @example
 * import { METRIC } from './names';
 * METRIC.runCompleted; // { name: 'RunCompleted', unit: 'Count', perLoadBalancer: false }
 */

/** The namespace the metrics go to unless configured otherwise. */
export const DEFAULT_NAMESPACE = 'IdleCanary';

/** The only dimension: the load balancer's name (never an instance or IP, each a billed metric). */
export const LOAD_BALANCER_DIMENSION = 'LoadBalancer';

/** A metric's unit, as `PutMetricData` takes it. */
export type MetricUnit = 'Seconds' | 'Count';

/** One metric: its name, its unit, and whether it has the load balancer dimension. */
export interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly perLoadBalancer: boolean;
}

const perLoadBalancer = (name: string, unit: MetricUnit): MetricDefinition => ({ name, unit, perLoadBalancer: true });
const fleet = (name: string): MetricDefinition => ({ name, unit: 'Count', perLoadBalancer: false });

/** The metrics, by the name the code uses for them. */
export const METRIC = {
  loadBalancerIdleTimeout: perLoadBalancer('LoadBalancerIdleTimeout', 'Seconds'),
  backendPreRequestTimeout: perLoadBalancer('BackendPreRequestTimeout', 'Seconds'),
  preRequestHeadroom: perLoadBalancer('PreRequestHeadroom', 'Seconds'),
  backendKeepAliveTimeout: perLoadBalancer('BackendKeepAliveTimeout', 'Seconds'),
  keepAliveHeadroom: perLoadBalancer('KeepAliveHeadroom', 'Seconds'),
  backendsProbed: perLoadBalancer('BackendsProbed', 'Count'),
  backendsFailing: perLoadBalancer('BackendsFailing', 'Count'),
  probeErrors: perLoadBalancer('ProbeErrors', 'Count'),
  loadBalancersFailing: fleet('LoadBalancersFailing'),
  runCompleted: fleet('RunCompleted'),
  backendHangups: perLoadBalancer('BackendHangups', 'Count'),
  requestsLogged: perLoadBalancer('RequestsLogged', 'Count'),
} as const satisfies Record<string, MetricDefinition>;

/** The metrics of each probe phase: the measured limit and the headroom below it. */
export const PHASE_METRICS = {
  preRequest: { timeout: METRIC.backendPreRequestTimeout, headroom: METRIC.preRequestHeadroom },
  keepAlive: { timeout: METRIC.backendKeepAliveTimeout, headroom: METRIC.keepAliveHeadroom },
} as const;

/**
 * A Metrics Insights query over one per-load-balancer metric.
 *
 * @example
 * insightsQuery('SUM', METRIC.backendHangups, 'IdleCanary', { order: 'DESC', limit: 500 });
 * // 'SELECT SUM(BackendHangups) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY SUM() DESC LIMIT 500'
 */
export function insightsQuery(statistic: 'SUM' | 'MIN' | 'MAX', metric: MetricDefinition, namespace: string, groupBy?: { readonly order: 'ASC' | 'DESC'; readonly limit: number }): string {
  const select = `SELECT ${statistic}(${metric.name}) FROM SCHEMA("${namespace}", ${LOAD_BALANCER_DIMENSION})`;
  return groupBy === undefined ? select : `${select} GROUP BY ${LOAD_BALANCER_DIMENSION} ORDER BY ${statistic}() ${groupBy.order} LIMIT ${groupBy.limit}`;
}
