/**
 * A monthly cost model of idle-canary, from the parameters the stack itself uses.
 *
 * Pure, so that the README's table is computed, not guessed, and changes when the stack does.
 * Prices: eu-west-1 list prices (USD) as published in 2026; change `PRICES` for another region.
 */
import { METRIC_SETS, type MetricDefinition, type MetricSet } from '../lambda/metrics/names';
import { longProbeTime } from '../lambda/run/limits';
import { worstCaseAnyS, worstCaseS } from '../lambda/run/route';
import { ALARMED, HANGUPS_WATCHED, seriesAnalyzed } from './alarms';
import { LONG_PROBE_TASK } from './long-probe';
import { TARGETS_PER_INVOCATION } from './probe-settings';
import { defaults } from './props';
import { LONG_TIMEOUTS_MIN_PERIOD_MINUTES, periodOf } from './schedule';

export const PRICES = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  stepFunctionsTransition: 0.025 / 1000,
  /** First 10,000 custom metrics; the next 240,000 cost $0.10. */
  customMetric: 0.3,
  customMetricAbove10k: 0.1,
  putMetricDataRequest: 0.01 / 1000,
  /** Per metric analyzed by an alarm (a Metrics Insights alarm over a per-load-balancer metric analyzes one per load balancer). */
  alarmMetric: 0.1,
  compositeAlarm: 0.5,
  dashboard: 3,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /** Fargate, Linux/ARM, per vCPU-hour and per GB-hour. */
  fargateVcpuHourArm: 0.03238,
  fargateGbHourArm: 0.00356,
} as const;

/** What the model assumes of a run; the defaults are the stack's. */
export const ASSUMPTIONS = {
  periodMinutes: periodOf(defaults.schedule),
  backendsPerLoadBalancer: defaults.maxBackendsPerPort,
  targetsPerInvocation: TARGETS_PER_INVOCATION,
  inlineMaxBackends: defaults.inlineMaxBackends,
  memoryGb: 0.5,
  /** A probe invocation lasts about the horizon (66 s at a 60 s idle timeout) plus narrowing. */
  probeSeconds: 70,
  /** Discover is paced at 8 calls a second per API family, about 2 calls per load balancer. */
  discoverCallsPerSecond: 8,
  /** The heartbeat's metric alarms (no run completed; runs started), beside its composite. */
  heartbeatAlarmMetrics: 2,
} as const;

/**
 * Custom metrics a metric set publishes from a run: per load balancer (each a billed series per
 * load balancer) and for the fleet.
 *
 * @example
 * runMetrics('detailed'); // { perLoadBalancer: 8, fleet: 2 }
 */
export function runMetrics(set: MetricSet): { readonly perLoadBalancer: number; readonly fleet: number } {
  const run: readonly MetricDefinition[] = METRIC_SETS[set].run;
  const perLoadBalancer = run.filter((m) => m.perLoadBalancer).length;
  return { perLoadBalancer, fleet: run.length - perLoadBalancer };
}

/**
 * Series the run's alarms analyze: the heartbeat's metric alarms' (no run completed, runs
 * started), and those of the failing and probe-error alarms of the set (`ALARMED`).
 *
 * @example
 * alarmSeries('detailed', 100); // 202
 */
export function alarmSeries(set: MetricSet, loadBalancers: number, heartbeatAlarmMetrics: number = ASSUMPTIONS.heartbeatAlarmMetrics): number {
  return heartbeatAlarmMetrics + Object.values(ALARMED[set]).reduce((sum, watched) => sum + seriesAnalyzed(watched.metric, loadBalancers), 0);
}

const HOURS_PER_MONTH = 30.4 * 24;

/** Scheduled runs in a month at this period. */
const runsPerMonth = (periodMinutes: number) => Math.round((HOURS_PER_MONTH * 60) / periodMinutes);

/** USD rounded to cents. */
const cents = (usd: number) => Math.round(usd * 100) / 100;

/** The total per load balancer, in cents. */
const withPerLoadBalancer = <C extends { loadBalancers: number; total: number }>(cost: C) => ({ ...cost, perLoadBalancer: cents(cost.total / cost.loadBalancers) });

/** Each part rounded to cents, and their total. */
function withTotal<P extends Record<string, number>>(parts: P): P & { total: number } {
  const rounded = Object.fromEntries(Object.entries(parts).map(([name, usd]) => [name, cents(usd)])) as P;
  return { ...rounded, total: cents(Object.values(rounded).reduce((sum, usd) => sum + usd, 0)) };
}

export interface MonthlyCost {
  readonly metricSet: MetricSet;
  readonly loadBalancers: number;
  readonly runs: number;
  readonly invocationsPerRun: number;
  readonly lambda: number;
  readonly stepFunctions: number;
  readonly metrics: number;
  readonly alarms: number;
  readonly dashboard: number;
  readonly s3: number;
  readonly total: number;
  /** The total per load balancer-month. */
  readonly perLoadBalancer: number;
}

/** Custom metrics per month, in the price tiers, and one `PutMetricData` per 1,000 datums of each call site. */
function customMetricsUsd(series: number, putCalls: number, prices: typeof PRICES): number {
  return Math.min(series, 10_000) * prices.customMetric + Math.max(0, series - 10_000) * prices.customMetricAbove10k + putCalls * prices.putMetricDataRequest;
}

/**
 * The monthly cost for an account of `loadBalancers` load balancers at the default schedule,
 * publishing a metric set.
 *
 * @example
 * monthlyCost(100, 'detailed').total; // about 270 (USD)
 * monthlyCost(100, 'lean').perLoadBalancer; // about 0.42 (USD)
 */
export function monthlyCost(loadBalancers: number, metricSet: MetricSet = defaults.metrics, assumptions = ASSUMPTIONS, prices = PRICES): MonthlyCost {
  const a = assumptions;
  const runs = runsPerMonth(a.periodMinutes);
  const backends = loadBalancers * a.backendsPerLoadBalancer;
  const probes = Math.ceil(backends / a.targetsPerInvocation);
  // The state holds about one invocation's results (lambda/run/limits.ts), and at most inlineMaxBackends.
  const distributed = backends > Math.min(a.inlineMaxBackends, a.targetsPerInvocation);
  const discoverSeconds = 2 + loadBalancers / a.discoverCallsPerSecond;
  const publishSeconds = 2 + backends * 0.005;
  const gbSeconds = (probes * a.probeSeconds + discoverSeconds + publishSeconds) * a.memoryGb;
  const lambda = runs * (gbSeconds * prices.lambdaGbSecondArm + (probes + 2) * prices.lambdaRequest);
  // Inline: discover, choice, map, a choice and a task per shard, publish. Distributed: the
  // same around a parallel and a map per VPC, plus each batch's child execution (start, task).
  const transitions = 4 + 2 * probes + (distributed ? 2 : 0);
  const stepFunctions = runs * transitions * prices.stepFunctionsTransition;
  const published = runMetrics(metricSet);
  const metricCount = loadBalancers * published.perLoadBalancer + published.fleet;
  const metrics = customMetricsUsd(metricCount, runs * Math.ceil(metricCount / 1000), prices);
  const alarms = alarmSeries(metricSet, loadBalancers, a.heartbeatAlarmMetrics) * prices.alarmMetric + prices.compositeAlarm;
  // Per run: the discovery, 3 reports + 3 latest + (distributed) plans, results; reads of the discovery, latest and (distributed) results.
  const s3 = runs * ((7 + (distributed ? 3 + probes : 0)) * prices.s3Put + (2 + (distributed ? 1 + probes : 0)) * prices.s3Get);
  return withPerLoadBalancer({ metricSet, loadBalancers, runs, invocationsPerRun: probes + 2, ...withTotal({ lambda, stepFunctions, metrics, alarms, dashboard: prices.dashboard, s3 }) });
}

/** What the access log model assumes; the traffic figures are yours to change. */
export const ACCESS_LOG_ASSUMPTIONS = {
  /** Load balancer nodes writing a log object each every 5 minutes (one per zone, at least two). */
  nodesPerLoadBalancer: 2,
  objectsPerNodePerHour: 12,
  requestsPerSecondPerLoadBalancer: 100,
  bytesPerLine: 450,
  /** Measured by `npm run bench -- access-logs` (165 MB/s on 2 cores), halved for a 1 GB function's share of a vCPU. */
  parseMegabytesPerSecond: 80,
  /** Start, claim, read and publish, besides parsing. */
  overheadSeconds: 0.3,
  memoryGb: 1,
  /**
   * Share of a load balancer's hours with at least one hang-up: the lean set publishes
   * `BackendHangups` only then, and CloudWatch bills a custom metric by the hours it receives
   * data. The detailed set publishes both metrics every minute a load balancer logs.
   */
  hangupHourShare: 0.1,
} as const;

/** The parts of `MonthlyCost` that counting access logs adds to, and the log objects counted. */
export type AccessLogMonthlyCost = Pick<MonthlyCost, 'metricSet' | 'loadBalancers' | 'lambda' | 'metrics' | 'alarms' | 's3' | 'total' | 'perLoadBalancer'> & { readonly objects: number };

/**
 * What counting access logs adds per month, for `loadBalancers` load balancers at the assumed
 * traffic: one invocation, one log read and two marker writes per object, and one
 * PutMetricData per object that has datums (in the lean set, only those with hang-ups).
 *
 * @example
 * accessLogsMonthlyCost(100, 'detailed').total; // about 116 (USD)
 */
export function accessLogsMonthlyCost(loadBalancers: number, metricSet: MetricSet = defaults.metrics, assumptions = ACCESS_LOG_ASSUMPTIONS, prices = PRICES): AccessLogMonthlyCost {
  const a = assumptions;
  const objects = Math.round(loadBalancers * a.nodesPerLoadBalancer * a.objectsPerNodePerHour * HOURS_PER_MONTH);
  const bytesPerObject = (a.requestsPerSecondPerLoadBalancer * 3600 * a.bytesPerLine) / (a.nodesPerLoadBalancer * a.objectsPerNodePerHour);
  const secondsPerObject = a.overheadSeconds + bytesPerObject / 1e6 / a.parseMegabytesPerSecond;
  // Lean: a series only in the hours with hang-ups, and a PutMetricData only for objects with some.
  const published = metricSet === 'lean' ? a.hangupHourShare : 1;
  return withPerLoadBalancer({
    metricSet,
    loadBalancers,
    objects,
    ...withTotal({
      lambda: objects * (secondsPerObject * a.memoryGb * prices.lambdaGbSecondArm + prices.lambdaRequest),
      metrics: customMetricsUsd(loadBalancers * METRIC_SETS[metricSet].accessLogs.length * published, objects * published, prices),
      alarms: seriesAnalyzed(HANGUPS_WATCHED.metric, loadBalancers) * prices.alarmMetric,
      s3: objects * (2 * prices.s3Put + 2 * prices.s3Get),
    }),
  });
}

/** What the long-horizon probe model assumes: the task's size and the schedule such a stack must have. */
export const LONG_PROBE_ASSUMPTIONS = {
  vcpu: LONG_PROBE_TASK.cpu / 1024,
  memoryGb: LONG_PROBE_TASK.memoryMiB / 1024,
  /** Billed seconds before the process starts (image pull of about 80 MB, Node.js start). */
  startSeconds: 60,
  /** Seconds discover takes before the task is planned (its budget is what the run has left). */
  discoverSeconds: 60,
  periodMinutes: LONG_TIMEOUTS_MIN_PERIOD_MINUTES,
} as const;

/** One VPC's long probe task, per run and per month. */
export interface LongProbeCost {
  readonly loadBalancerIdleTimeoutS: number;
  /** Billed task seconds: with eager or healthy backends (one horizon), and at most (a lazy limit narrowed until the budget ends). */
  readonly taskSeconds: { readonly typical: number; readonly worst: number };
  readonly vcpuSeconds: { readonly typical: number; readonly worst: number };
  readonly gbSeconds: { readonly typical: number; readonly worst: number };
  readonly usdPerRun: { readonly typical: number; readonly worst: number };
  readonly runs: number;
  readonly usdPerMonth: { readonly typical: number; readonly worst: number };
}

/**
 * What one VPC's long probe task costs for backends behind load balancers of this idle timeout.
 *
 * Why two figures: a task lasts one horizon when the backends are eager or healthy, and up to
 * its whole budget when a lazy limit is narrowed. Fargate bills per second from the image pull.
 *
 * @example
 * longProbeCost(3600).usdPerRun.typical; // about 0.011 (USD)
 */
export function longProbeCost(loadBalancerIdleTimeoutS: number, assumptions = LONG_PROBE_ASSUMPTIONS, prices = PRICES): LongProbeCost {
  const a = assumptions;
  const typical = a.startSeconds + worstCaseS(loadBalancerIdleTimeoutS, 'eager');
  const worst = a.startSeconds + longProbeTime(worstCaseAnyS(loadBalancerIdleTimeoutS), 0, a.discoverSeconds * 1000).budgetS;
  const both = (f: (seconds: number) => number) => ({ typical: f(typical), worst: f(worst) });
  const usd = (seconds: number) => (seconds / 3600) * (a.vcpu * prices.fargateVcpuHourArm + a.memoryGb * prices.fargateGbHourArm);
  const runs = runsPerMonth(a.periodMinutes);
  return {
    loadBalancerIdleTimeoutS,
    taskSeconds: both((s) => Math.round(s)),
    vcpuSeconds: both((s) => Math.round(s * a.vcpu)),
    gbSeconds: both((s) => Math.round(s * a.memoryGb)),
    usdPerRun: both((s) => Math.round(usd(s) * 10_000) / 10_000),
    runs,
    usdPerMonth: both((s) => cents(runs * usd(s))),
  };
}

/** What the public origins model assumes: the probe outside any VPC, sized as the VPCs' probe functions. */
export const PUBLIC_ORIGIN_ASSUMPTIONS = {
  periodMinutes: ASSUMPTIONS.periodMinutes,
  targetsPerInvocation: TARGETS_PER_INVOCATION,
  memoryGb: ASSUMPTIONS.memoryGb,
} as const;

/** What `probePublicOrigins` adds for public custom origins behind one CloudFront keep-alive, per month. */
export interface PublicOriginsCost {
  readonly origins: number;
  readonly keepAliveS: number;
  /** Invocations of the probe outside any VPC per run: one per `targetsPerInvocation` origins. */
  readonly invocationsPerRun: number;
  /** Lambda and Step Functions, with eager or healthy origins (one horizon), and at most (a lazy limit narrowed). */
  readonly usdPerMonth: { readonly typical: number; readonly worst: number };
}

/**
 * What probing public origins from the probe function outside any VPC adds: nothing while no run
 * plans any (a function without provisioned concurrency costs nothing idle), then its
 * invocations, each about one horizon over CloudFront's keep-alive (longer when a lazy limit is
 * narrowed), and two state transitions each. Their metrics are priced per front, like a load
 * balancer's (`monthlyCost`).
 *
 * @example
 * publicOriginsCost(10, 5).usdPerMonth.typical; // about 0.85 (USD)
 */
export function publicOriginsCost(origins: number, keepAliveS: number, assumptions = PUBLIC_ORIGIN_ASSUMPTIONS, prices = PRICES): PublicOriginsCost {
  const a = assumptions;
  const runs = runsPerMonth(a.periodMinutes);
  const invocationsPerRun = Math.ceil(origins / a.targetsPerInvocation);
  const usd = (seconds: number) => runs * invocationsPerRun * (seconds * a.memoryGb * prices.lambdaGbSecondArm + prices.lambdaRequest + 2 * prices.stepFunctionsTransition);
  return { origins, keepAliveS, invocationsPerRun, usdPerMonth: { typical: cents(usd(worstCaseS(keepAliveS, 'eager'))), worst: cents(usd(worstCaseAnyS(keepAliveS))) } };
}
