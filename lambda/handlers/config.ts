/**
 * Handler settings from environment variables, set by the CDK construct; a bad value names
 * the variable.
 */
import { DEFAULT_METRIC_SET, metricSetIssue, type MetricSet } from '../metrics/names';
import type { ProbeSource } from '../discovery/reachability';
import { addToGroup } from '../shared/group';
import { DEFAULTS, RANGES, type NumberRange } from '../shared/settings';

/** A comma-separated list; empty when unset. */
export function envList(env: NodeJS.ProcessEnv, name: string): string[] {
  return (env[name] ?? '').split(',').map((value) => value.trim()).filter((value) => value !== '');
}

/**
 * The probe functions' security groups by VPC, from `vpc-0a=sg-0p,vpc-0b=sg-0q`.
 *
 * @throws Error naming the variable and the entry when one is not `vpc-...=sg-...`
 * @example
 * envProbeSources({ IDLE_CANARY_PROBE_SECURITY_GROUPS: 'vpc-0a=sg-0p' }); // [{ vpcId: 'vpc-0a', securityGroupIds: ['sg-0p'], cidrs: [] }]
 */
export function envProbeSources(env: NodeJS.ProcessEnv): ProbeSource[] {
  const byVpc = new Map<string, string[]>();
  for (const entry of envList(env, ENV.probeSecurityGroups)) {
    const match = /^(vpc-[0-9a-f]+)=(sg-[0-9a-f]+)$/.exec(entry);
    if (match === null) throw new Error(`environment variable ${ENV.probeSecurityGroups}: "${entry}": expected vpc-...=sg-... entries, comma-separated`);
    addToGroup(byVpc, match[1], match[2]);
  }
  return [...byVpc].map(([vpcId, securityGroupIds]) => ({ vpcId, securityGroupIds, cidrs: [] }));
}

/** How to read a number: which variable, its default when unset, and the range it must be in. */
export interface NumberFromEnvOptions extends NumberRange {
  readonly key: string;
  /** Returned when the variable is unset or empty; `undefined` makes it required. */
  readonly defaultValue?: number;
}

/**
 * A number within its range, or the default when unset.
 *
 * @throws Error naming the variable, its value and the range when it is out of range, or unset without a default
 * @example
 * getNumberFromEnv(process.env, { key: ENV.marginS, defaultValue: DEFAULTS.marginS, ...RANGES.marginS });
 */
export function getNumberFromEnv(env: NodeJS.ProcessEnv, { key, defaultValue, min, max }: NumberFromEnvOptions): number {
  const raw = env[key];
  if (raw === undefined || raw === '') {
    if (defaultValue === undefined) throw new Error(`environment variable ${key} is not set`);
    return defaultValue;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`environment variable ${key}="${raw}": expected a number from ${min} to ${max}`);
  return value;
}

/** The shared settings a handler reads from its variables, with the run's defaults and ranges. */
export function settingFromEnv(env: NodeJS.ProcessEnv, name: keyof typeof DEFAULTS & keyof typeof RANGES & keyof typeof ENV): number {
  return getNumberFromEnv(env, { key: ENV[name], defaultValue: DEFAULTS[name], ...RANGES[name] });
}

/**
 * The metric set to publish, `lean` when unset.
 *
 * @throws Error naming the variable, its value and the sets when it names none
 * @example
 * metricSetFromEnv({ IDLE_CANARY_METRICS: 'detailed' }); // 'detailed'
 */
export function metricSetFromEnv(env: NodeJS.ProcessEnv): MetricSet {
  const raw = env[ENV.metrics];
  if (raw === undefined || raw === '') return DEFAULT_METRIC_SET;
  const expected = metricSetIssue(raw);
  if (expected !== undefined) throw new Error(`environment variable ${ENV.metrics}="${raw}": expected ${expected}`);
  return raw as MetricSet;
}

/** A required string. */
export function envString(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The names of the variables, shared with the CDK construct that sets them. */
export const ENV = {
  vpcIds: 'IDLE_CANARY_VPC_IDS',
  loadBalancers: 'IDLE_CANARY_LOAD_BALANCERS',
  /** The probe functions' security groups, `vpcId=sgId` comma-separated: discover checks that backends admit them. */
  probeSecurityGroups: 'IDLE_CANARY_PROBE_SECURITY_GROUPS',
  tags: 'IDLE_CANARY_TAGS',
  maxBackendsPerPort: 'IDLE_CANARY_MAX_BACKENDS_PER_PORT',
  periodMinutes: 'IDLE_CANARY_PERIOD_MINUTES',
  maxSocketsPerTarget: 'IDLE_CANARY_MAX_SOCKETS_PER_TARGET',
  maxOpenSockets: 'IDLE_CANARY_MAX_OPEN_SOCKETS',
  marginS: 'IDLE_CANARY_MARGIN_S',
  namespace: 'IDLE_CANARY_NAMESPACE',
  /** The metric set publish and the access log counter put: `lean` or `detailed`. */
  metrics: 'IDLE_CANARY_METRICS',
  bucket: 'IDLE_CANARY_BUCKET',
  reportPrefix: 'IDLE_CANARY_REPORT_PREFIX',
  topicArn: 'IDLE_CANARY_TOPIC_ARN',
  /** The run state machine's ARN: notifications and reports link to the run's execution. */
  stateMachineArn: 'IDLE_CANARY_STATE_MACHINE_ARN',
  /** The dashboard's name: notifications and reports link to it. */
  dashboardName: 'IDLE_CANARY_DASHBOARD_NAME',
  inlineMaxBackends: 'IDLE_CANARY_INLINE_MAX_BACKENDS',
  /** Probe invocations a Map runs at once: with the run's time, how many backends one run can probe. */
  maxConcurrency: 'IDLE_CANARY_MAX_CONCURRENCY',
  /** Seconds after which an access log object's unfinished claim is taken over. */
  claimStaleS: 'IDLE_CANARY_CLAIM_STALE_S',
  /** `on` when access logs are counted: publish then reads the recent hang-ups for the report. */
  accessLogs: 'IDLE_CANARY_ACCESS_LOGS',
  /** `on` when the stack has the long-horizon probe: discover routes backends by horizon. */
  longTimeouts: 'IDLE_CANARY_LONG_TIMEOUTS',
  /** The probe function's timeout in seconds, which the routing fits Lambda probes in. */
  probeTimeoutS: 'IDLE_CANARY_PROBE_TIMEOUT_S',
  /** The long probe task's shard: its S3 key, or a local file (`shardFile`) instead. */
  planKey: 'IDLE_CANARY_PLAN_KEY',
  shardFile: 'IDLE_CANARY_SHARD_FILE',
  /** Where the long probe task writes its result: its S3 key. */
  resultKey: 'IDLE_CANARY_RESULT_KEY',
  /** Seconds the long probe task may probe. */
  timeBudgetS: 'IDLE_CANARY_TIME_BUDGET_S',
} as const;
