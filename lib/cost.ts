/**
 * A monthly cost model of idle-canary, from the parameters the stack itself uses.
 *
 * Pure, so that the README's table is computed, not guessed, and changes when the stack does.
 * Prices: eu-west-1 list prices (USD) as published in 2026; change `PRICES` for another region.
 */
import { longProbeTime } from '../lambda/run/limits';
import { worstCaseAnyS, worstCaseS } from '../lambda/run/route';
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
  /** Per metric analyzed by an alarm (a Metrics Insights alarm analyzes one per load balancer). */
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
  metricsPerLoadBalancer: 8,
  fleetMetrics: 2,
  /** Two Metrics Insights alarms analyze one series per load balancer; the heartbeat's two alarms one each (and its composite). */
  alarmMetricsPerLoadBalancer: 2,
  heartbeatAlarmMetrics: 2,
} as const;

const HOURS_PER_MONTH = 30.4 * 24;

/** Scheduled runs in a month at this period. */
const runsPerMonth = (periodMinutes: number) => Math.round((HOURS_PER_MONTH * 60) / periodMinutes);

/** USD rounded to cents. */
const cents = (usd: number) => Math.round(usd * 100) / 100;

/** Each part rounded to cents, and their total. */
function withTotal<P extends Record<string, number>>(parts: P): P & { total: number } {
  const rounded = Object.fromEntries(Object.entries(parts).map(([name, usd]) => [name, cents(usd)])) as P;
  return { ...rounded, total: cents(Object.values(rounded).reduce((sum, usd) => sum + usd, 0)) };
}

export interface MonthlyCost {
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
}

/**
 * The monthly cost for an account of `loadBalancers` load balancers at the default schedule.
 *
 * @example
 * monthlyCost(100).total; // about 270 (USD)
 */
export function monthlyCost(loadBalancers: number, assumptions = ASSUMPTIONS, prices = PRICES): MonthlyCost {
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
  const metricCount = loadBalancers * a.metricsPerLoadBalancer + a.fleetMetrics;
  const metrics =
    Math.min(metricCount, 10_000) * prices.customMetric +
    Math.max(0, metricCount - 10_000) * prices.customMetricAbove10k +
    runs * Math.ceil(metricCount / 1000) * prices.putMetricDataRequest;
  const alarms = (a.heartbeatAlarmMetrics + a.alarmMetricsPerLoadBalancer * loadBalancers) * prices.alarmMetric + prices.compositeAlarm;
  // Per run: the discovery, 3 reports + 3 latest + (distributed) plans, results; reads of the discovery, latest and (distributed) results.
  const s3 = runs * ((7 + (distributed ? 3 + probes : 0)) * prices.s3Put + (2 + (distributed ? 1 + probes : 0)) * prices.s3Get);
  return { loadBalancers, runs, invocationsPerRun: probes + 2, ...withTotal({ lambda, stepFunctions, metrics, alarms, dashboard: prices.dashboard, s3 }) };
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
  metricsPerLoadBalancer: 2,
} as const;

/** The parts of `MonthlyCost` that counting access logs adds to, and the log objects counted. */
export type AccessLogMonthlyCost = Pick<MonthlyCost, 'loadBalancers' | 'lambda' | 'metrics' | 'alarms' | 's3' | 'total'> & { readonly objects: number };

/**
 * What counting access logs adds per month, for `loadBalancers` load balancers at the assumed
 * traffic: one invocation, one log read, two marker writes and one PutMetricData per object.
 *
 * @example
 * accessLogsMonthlyCost(100).total; // about 116 (USD)
 */
export function accessLogsMonthlyCost(loadBalancers: number, assumptions = ACCESS_LOG_ASSUMPTIONS, prices = PRICES): AccessLogMonthlyCost {
  const a = assumptions;
  const objects = Math.round(loadBalancers * a.nodesPerLoadBalancer * a.objectsPerNodePerHour * HOURS_PER_MONTH);
  const bytesPerObject = (a.requestsPerSecondPerLoadBalancer * 3600 * a.bytesPerLine) / (a.nodesPerLoadBalancer * a.objectsPerNodePerHour);
  const secondsPerObject = a.overheadSeconds + bytesPerObject / 1e6 / a.parseMegabytesPerSecond;
  return {
    loadBalancers,
    objects,
    ...withTotal({
      lambda: objects * (secondsPerObject * a.memoryGb * prices.lambdaGbSecondArm + prices.lambdaRequest),
      metrics: loadBalancers * a.metricsPerLoadBalancer * prices.customMetric + objects * prices.putMetricDataRequest,
      alarms: loadBalancers * prices.alarmMetric,
      s3: objects * (2 * prices.s3Put + 2 * prices.s3Get),
    }),
  };
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
