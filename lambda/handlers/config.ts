/**
 * Handler settings from environment variables, set by the CDK construct; a bad value names
 * the variable.
 */
import { DEFAULT_METRIC_SET, metricSetIssue, type MetricSet } from '../metrics/names';
import type { ProbeSource } from '../discovery/reachability';
import { addToGroup } from '../shared/group';
import { printable } from '../shared/printable';
import { PATTERNS, SETTINGS, numberFromText, type NumberSetting, type NumberSettingName, type SettingName } from '../shared/settings';

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
    const [vpcId, securityGroupId, ...rest] = entry.split('=');
    if (rest.length > 0 || !PATTERNS.vpcId.pattern.test(vpcId) || !PATTERNS.securityGroupId.pattern.test(securityGroupId ?? '')) throw new Error(`environment variable ${ENV.probeSecurityGroups}: "${entry}": expected vpc-...=sg-... entries, comma-separated`);
    addToGroup(byVpc, vpcId, securityGroupId);
  }
  return [...byVpc].map(([vpcId, securityGroupIds]) => ({ vpcId, securityGroupIds, cidrs: [] }));
}

/** The boolean settings the handlers read from their environment. */
export type EnvBooleanName = { [K in SettingName]: (typeof SETTINGS)[K] extends { kind: 'boolean'; env: string } ? K : never }[SettingName];

/**
 * A boolean setting from its variable (`SETTINGS`): `true`/`on` or `false`/`off`, else its
 * default when unset or empty.
 *
 * @throws Error naming the variable, its value and what is accepted
 * @example
 * booleanFromEnv({ IDLE_CANARY_CLOUDFRONT: 'true' }, 'cloudFront'); // true
 */
export function booleanFromEnv(env: NodeJS.ProcessEnv, name: EnvBooleanName): boolean {
  const setting = SETTINGS[name];
  const raw = env[setting.env];
  if (raw === undefined || raw === '') return setting.default;
  if (raw === 'true' || raw === 'on') return true;
  if (raw === 'false' || raw === 'off') return false;
  throw new Error(`environment variable ${setting.env}="${printable(raw, 80)}": expected true or false (on or off)`);
}

/** The number settings the handlers read from their environment. */
export type EnvNumberName = { [K in NumberSettingName]: (typeof SETTINGS)[K] extends { env: string } ? K : never }[NumberSettingName];

/**
 * A number setting from its variable (`SETTINGS`): its value within its range, else its
 * default when unset or empty (`defaultValue` for a setting whose default its reader derives).
 *
 * @throws Error naming the variable, its value and what is accepted, or that it is unset and has no default
 * @example
 * settingFromEnv(process.env, 'marginS'); // 1 when IDLE_CANARY_MARGIN_S is unset
 */
export function settingFromEnv(env: NodeJS.ProcessEnv, name: EnvNumberName, defaultValue: number | undefined = (SETTINGS[name] as NumberSetting).default): number {
  const key = SETTINGS[name].env;
  const raw = env[key];
  if (raw === undefined || raw === '') {
    if (defaultValue === undefined) throw new Error(`environment variable ${key} is not set`);
    return defaultValue;
  }
  const parsed = numberFromText(name, raw);
  if ('expected' in parsed) throw new Error(`environment variable ${key}="${printable(raw, 80)}": expected ${parsed.expected}`);
  return parsed.value;
}

/**
 * The variables of number settings, as the construct writes them for `settingFromEnv` to read:
 * each setting's variable and its value, in the order given.
 *
 * @example
 * settingsEnvironment({ marginS: 2, maxConcurrency: 10 }); // { IDLE_CANARY_MARGIN_S: '2', IDLE_CANARY_MAX_CONCURRENCY: '10' }
 */
export function settingsEnvironment(values: { readonly [K in EnvNumberName]?: number }): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [SETTINGS[name as EnvNumberName].env, String(value)]));
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

/** The settings that have a variable. */
type EnvName = { [K in SettingName]: (typeof SETTINGS)[K] extends { env: string } ? K : never }[SettingName];

/** The settings' variables, from their rows. */
const SETTING_ENV = Object.fromEntries(
  (Object.keys(SETTINGS) as SettingName[]).flatMap((name) => {
    const { env } = SETTINGS[name] as { env?: string };
    return env === undefined ? [] : [[name, env]];
  }),
) as { readonly [K in EnvName]: (typeof SETTINGS)[K]['env'] };

/** The names of the variables, shared with the CDK construct that sets them: the settings' (`SETTINGS`) and these. */
export const ENV = {
  ...SETTING_ENV,
  vpcIds: 'IDLE_CANARY_VPC_IDS',
  loadBalancers: 'IDLE_CANARY_LOAD_BALANCERS',
  /** The probe functions' security groups, `vpcId=sgId` comma-separated: discover checks that backends admit them. */
  probeSecurityGroups: 'IDLE_CANARY_PROBE_SECURITY_GROUPS',
  tags: 'IDLE_CANARY_TAGS',
  bucket: 'IDLE_CANARY_BUCKET',
  reportPrefix: 'IDLE_CANARY_REPORT_PREFIX',
  topicArn: 'IDLE_CANARY_TOPIC_ARN',
  /** The run state machine's ARN: notifications and reports link to the run's execution. */
  stateMachineArn: 'IDLE_CANARY_STATE_MACHINE_ARN',
  /** The dashboard's name: notifications and reports link to it. */
  dashboardName: 'IDLE_CANARY_DASHBOARD_NAME',
  /** `on` when access logs are counted: publish then reads the recent hang-ups for the report. */
  accessLogs: 'IDLE_CANARY_ACCESS_LOGS',
  /** `on` when the stack has the long-horizon probe: discover routes backends by horizon. */
  longTimeouts: 'IDLE_CANARY_LONG_TIMEOUTS',
  /** The long probe task's shard: its S3 key, or a local file (`shardFile`) instead. */
  planKey: 'IDLE_CANARY_PLAN_KEY',
  shardFile: 'IDLE_CANARY_SHARD_FILE',
  /** Where the long probe task writes its result: its S3 key. */
  resultKey: 'IDLE_CANARY_RESULT_KEY',
} as const;
