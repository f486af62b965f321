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

/**
 * The only dimension: the load balancer, as AWS itself names it (`loadBalancerDimension`); never
 * an instance or IP, each a billed metric.
 */
export const LOAD_BALANCER_DIMENSION = 'LoadBalancer';

/** What names a load balancer: its type, its name and (an ALB) its ARN. */
export interface LoadBalancerIdentity {
  /** `probe` for targets probed by hand, which have no AWS identity; `cloudfront` for a CloudFront origin. */
  readonly type: 'classic' | 'application' | 'probe' | 'cloudfront';
  readonly name: string;
  /** An ALB's ARN, or its resource part `app/NAME/ID` as access log lines carry it. */
  readonly arn?: string;
}

/**
 * The value of the `LoadBalancer` dimension: AWS's own identity of the load balancer, `app/NAME/ID`
 * for an ALB (AWS/ApplicationELB's `LoadBalancer`), the name for a Classic ELB (AWS/ELB's
 * `LoadBalancerName`), the front's name `cloudfront/DISTRIBUTION/ORIGIN` for a CloudFront origin.
 *
 * Why not the bare name: a Classic ELB and an ALB may share a name in one region (separate
 * APIs), and their series, alarms and reports would merge; AWS's value also lets a user put
 * our metrics beside AWS's own in one graph or metric math expression. Every producer of a
 * per-load-balancer datum and every reader of one calls this, so the series cannot drift apart.
 *
 * An ALB whose ARN is unknown (never from discovery) gets `app/NAME`: not AWS's value, but
 * still apart from a Classic ELB's, whose names cannot hold a `/`.
 *
 * @example
 * loadBalancerDimension({ type: 'application', name: 'api', arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/api/50dc6c495c0c9188' });
 * // 'app/api/50dc6c495c0c9188'
 * loadBalancerDimension({ type: 'classic', name: 'api' }); // 'api'
 * loadBalancerDimension({ type: 'cloudfront', name: 'cloudfront/E123ABC/api-origin' }); // 'cloudfront/E123ABC/api-origin'
 */
export function loadBalancerDimension(lb: LoadBalancerIdentity): string {
  if (lb.type !== 'application') return lb.name;
  const resource = /(?:^|:loadbalancer\/)(app\/[^/]+\/[0-9a-f]+)$/.exec(lb.arn ?? '')?.[1];
  return resource ?? `app/${lb.name}`;
}

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
  headroom: perLoadBalancer('Headroom', 'Seconds'),
  loadBalancersInconclusive: fleet('LoadBalancersInconclusive'),
  fleetProbeErrors: fleet('FleetProbeErrors'),
} as const satisfies Record<string, MetricDefinition>;

/**
 * The metric sets a stack chooses between (the `metrics` prop): which metrics a run and the
 * access log counter publish.
 *
 * Why two: each series with a `LoadBalancer` dimension is a billed custom metric, so the
 * detailed set costs about $2.70 per load balancer-month; the lean set (the default) keeps one
 * per load balancer and moves the alarms to fleet metrics, while the reports and the logs keep
 * every per-phase number, unbilled. `detailed` is the set of versions before the choice,
 * unchanged in names, units and dimensions.
 *
 * @example
 * METRIC_SETS.lean.run.map((m) => m.name); // ['Headroom', 'LoadBalancersFailing', 'LoadBalancersInconclusive', 'FleetProbeErrors', 'RunCompleted']
 */
export const METRIC_SETS = {
  lean: {
    run: [METRIC.headroom, METRIC.loadBalancersFailing, METRIC.loadBalancersInconclusive, METRIC.fleetProbeErrors, METRIC.runCompleted],
    /** Only in the minutes that have hang-ups: a load balancer without any costs nothing. */
    accessLogs: [METRIC.backendHangups],
  },
  detailed: {
    run: [
      METRIC.loadBalancerIdleTimeout,
      METRIC.backendPreRequestTimeout,
      METRIC.preRequestHeadroom,
      METRIC.backendKeepAliveTimeout,
      METRIC.keepAliveHeadroom,
      METRIC.backendsProbed,
      METRIC.backendsFailing,
      METRIC.probeErrors,
      METRIC.loadBalancersFailing,
      METRIC.runCompleted,
    ],
    accessLogs: [METRIC.backendHangups, METRIC.requestsLogged],
  },
} as const satisfies Record<string, { readonly run: readonly MetricDefinition[]; readonly accessLogs: readonly MetricDefinition[] }>;

/** A metric set's name: `lean` or `detailed`. */
export type MetricSet = keyof typeof METRIC_SETS;

/** The set a stack publishes unless told otherwise. */
export const DEFAULT_METRIC_SET: MetricSet = 'lean';

/**
 * Whether a set publishes a metric (from a run or from the access logs).
 *
 * @example
 * publishes('lean', METRIC.backendsFailing); // false
 */
export function publishes(set: MetricSet, metric: MetricDefinition): boolean {
  const { run, accessLogs }: { run: readonly MetricDefinition[]; accessLogs: readonly MetricDefinition[] } = METRIC_SETS[set];
  return run.includes(metric) || accessLogs.includes(metric);
}

/**
 * What a metric set setting accepts, when `value` is not a set's name; `undefined` when it is.
 *
 * Why one check: the construct, cdk.json and the functions' variables refuse the same values
 * in the same words.
 *
 * @example
 * metricSetIssue('full'); // "'lean' or 'detailed'"
 */
export function metricSetIssue(value: unknown): string | undefined {
  return typeof value === 'string' && Object.hasOwn(METRIC_SETS, value) ? undefined : Object.keys(METRIC_SETS).map((name) => `'${name}'`).join(' or ');
}

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
