/**
 * The deployment configuration (`cdk.json` context key `idle-canary`), validated at synth
 * time with errors that name the bad key.
 */
import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DURATION_PROPS, EMAILS_WITH_TOPIC, PUBLIC_ORIGINS_NEED_CLOUDFRONT, type IdleCanaryProps, type VpcConfig, type VpcIdsConfig } from './props';
import { DEFAULT_SCHEDULE, PeriodError, periodOf, SCHEDULE_EXPRESSION } from './schedule';
import { metricSetIssue } from '../lambda/metrics/names';
import { describeValue, printable } from '../lambda/shared/printable';
import { ACCESS_LOG_BUCKET_SETTINGS, PORT_RANGE, SETTINGS, settingIssue, STACK_SETTINGS, VPC_SETTINGS, type NumberSettingName, type SettingName, type ShapedSettingName, type TextSetting, type TextSettingName } from '../lambda/shared/settings';

/**
 * One stack: an account and region, and the construct's props in JSON form (see
 * `IdleCanaryProps` for each one's meaning and default).
 */
export interface StackConfig extends Omit<IdleCanaryProps, 'vpcs' | 'topic' | 'logRetention' | keyof typeof DURATION_PROPS>, DurationsInConfig {
  readonly account: string;
  readonly region: string;
  /** VPCs by ids (see `vpcsFromIds`). */
  readonly vpcs: readonly VpcIdsConfig[];
  /** An existing SNS topic for alarms; a topic is created when not given. */
  readonly topicArn?: string;
  /** Days logs are kept. @default 30 */
  readonly logRetentionDays?: number;
}

/** The `Duration` props as `cdk.json` holds them: numbers of their settings' units (`marginS`, `reportRetentionDays`, ...). */
type DurationsInConfig = { readonly [K in keyof typeof DURATION_PROPS as (typeof DURATION_PROPS)[K]['setting']]?: number };

export interface IdleCanaryConfig {
  readonly stacks: readonly StackConfig[];
}

type Issue = (key: string, expected: string, got: unknown) => never;

/** How much of an unknown key, a bad value and the whole line an error shows: more than any valid entry needs. */
const SHOWN = { key: 60, value: { depth: 4, entries: 20, stringLength: 200, length: 200 }, line: 1000 } as const;

/**
 * Throws the one-line error naming the key, what is expected and what was found.
 *
 * Why cut and escaped: the configuration may come from a `-c` flag; a value or an unknown key
 * with terminal escapes, or of megabytes, must not reach the terminal as it is.
 */
const throwIssue: Issue = (key, expected, got) => {
  throw new Error(printable(`${key}: expected ${expected}, got ${describeValue(got, SHOWN.value)}`, SHOWN.line));
};

/**
 * Validates the context value.
 *
 * @throws Error naming the key, what is expected and what was found, e.g.
 * `idle-canary.stacks[0].vpcs[0].subnetIds[1]: expected a subnet id like subnet-0a1b2c3d, got "subnet-x"`
 */
export function parseConfig(value: unknown): IdleCanaryConfig {
  const root = object(value, 'idle-canary', throwIssue);
  onlyKeys(root, 'idle-canary', ['stacks'], throwIssue);
  const stacks = array(root.stacks, 'idle-canary.stacks', throwIssue, 1);
  return { stacks: stacks.map((stack, i) => parseStack(stack, `idle-canary.stacks[${i}]`, throwIssue)) };
}

/** Every key a stack entry accepts, in the README's order (the table's, `SETTINGS`). */
export const STACK_KEYS: ReadonlyArray<keyof StackConfig> = STACK_SETTINGS;

/** Every key a VPC entry accepts. */
export const VPC_KEYS = VPC_SETTINGS as ReadonlyArray<keyof VpcIdsConfig>;

/**
 * The configuration's VPCs as the construct takes them: the VPC, its subnets and the backend
 * security groups imported by id in `scope` (`Vpc<i>`, `Vpc<i>Subnet<j>`, `Vpc<i>BackendSecurityGroup<j>`).
 *
 * Why imports by attributes and not lookups: `cdk synth` stays offline, and CloudFormation
 * places the probe by subnet id alone; the zones CDK asks of an imported VPC are never written
 * to the template.
 *
 * @example
 * new IdleCanary(stack, 'IdleCanary', { vpcs: vpcsFromIds(stack, config.vpcs) });
 */
export function vpcsFromIds(scope: Construct, vpcs: readonly VpcIdsConfig[]): VpcConfig[] {
  return vpcs.map((ids, i) => {
    const vpc = ec2.Vpc.fromVpcAttributes(scope, `Vpc${i}`, { vpcId: ids.vpcId, availabilityZones: ['not-needed'], ...(ids.cidr ? { vpcCidrBlock: ids.cidr } : {}) });
    const subnets = ids.subnetIds.map((subnetId, j) => ec2.Subnet.fromSubnetAttributes(scope, `Vpc${i}Subnet${j}`, { subnetId }));
    // Subnets given by id: the probe only places its network interfaces in them.
    for (const subnet of subnets) Annotations.of(subnet).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'The probe function only places its network interfaces in these subnets.');
    const backendSecurityGroups = (ids.backendSecurityGroupIds ?? []).map((id, j) => ec2.SecurityGroup.fromSecurityGroupId(scope, `Vpc${i}BackendSecurityGroup${j}`, id));
    return {
      vpc,
      vpcSubnets: { subnets },
      backendPorts: ids.backendPorts,
      ...(ids.cidr !== undefined ? { cidr: ids.cidr } : {}),
      ...(ids.backendSecurityGroupIds !== undefined ? { backendSecurityGroups } : {}),
      ...(ids.addIngress !== undefined ? { addIngress: ids.addIngress } : {}),
    };
  });
}

/** The stack entry's keys whose prop is not the value as it is: the props each one gives (`account` and `region` give the stack's environment; the durations, `DURATION_PROPS`). */
const PROPS_OF: { readonly [K in keyof StackConfig]?: (scope: Construct, config: StackConfig) => Partial<IdleCanaryProps> } = {
  account: () => ({}),
  region: () => ({}),
  vpcs: (scope, config) => ({ vpcs: vpcsFromIds(scope, config.vpcs) }),
  topicArn: (scope, { topicArn }) => ({ topic: topicArn ? sns.Topic.fromTopicArn(scope, 'AlarmTopic', topicArn) : undefined }),
  ...Object.fromEntries(
    Object.entries(DURATION_PROPS).map(([prop, { setting, to }]) => [setting, (_scope: Construct, config: StackConfig) => ({ [prop]: config[setting] === undefined ? undefined : to(config[setting]) })]),
  ),
  logRetentionDays: (_scope, { logRetentionDays }) => ({ logRetention: logRetentionDays === undefined ? undefined : retentionOf(logRetentionDays) }),
};

/**
 * The construct's props from a validated stack entry: each key of the table's (`STACK_KEYS`)
 * copied as it is, or made into the prop CDK users hold (a `Duration`, an imported VPC or
 * topic); scopes of the imports are `scope`'s.
 *
 * @example
 * new IdleCanary(stack, 'IdleCanary', propsFromConfig(stack, config));
 */
export function propsFromConfig(scope: Construct, config: StackConfig): IdleCanaryProps {
  const props = STACK_KEYS.map((key) => PROPS_OF[key]?.(scope, config) ?? { [key]: config[key] });
  return Object.assign({}, ...props) as IdleCanaryProps;
}

/** The CloudWatch Logs retention closest above the wanted days. */
function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0).sort((a, b) => a - b);
  return allowed.find((d) => d >= days) ?? logs.RetentionDays.TEN_YEARS;
}

/**
 * The parsers of the settings with a shape of their own (the others are checked by their rows:
 * a number's range, a string's pattern, true or false).
 */
const SHAPED: Readonly<Record<ShapedSettingName, (value: unknown, key: string, issue: Issue) => unknown>> = {
  vpcs: (value, key, issue) => array(value, key, issue, 1).map((vpc, i) => parseEntry(vpc, `${key}[${i}]`, VPC_SETTINGS, issue)),
  backendPorts: (value, key, issue) => array(value, key, issue, 1).forEach((port, i) => portRange(port, `${key}[${i}]`, issue)),
  schedule: (value, key, issue) => match(value, key, SCHEDULE_EXPRESSION, SETTINGS.schedule.expected, issue),
  digestSchedule: (value, key, issue) => match(value, key, SCHEDULE_EXPRESSION, SETTINGS.digestSchedule.expected, issue),
  metrics: (value, key, issue) => {
    const expected = metricSetIssue(value);
    if (expected !== undefined) issue(key, expected, value);
  },
  accessLogBuckets: (value, key, issue) => array(value, key, issue, 0).forEach((bucket, i) => parseEntry(bucket, `${key}[${i}]`, ACCESS_LOG_BUCKET_SETTINGS, issue)),
  longTimeouts: (value, key, issue) => parseLongTimeouts(value, key, issue),
};

/** Checks one setting by its row in `SETTINGS`, unless it is unset and not required. */
function parseSetting(name: SettingName, value: unknown, key: string, issue: Issue): void {
  const setting = SETTINGS[name];
  if (value === undefined && !('required' in setting)) return;
  if (setting.kind === 'boolean') {
    if (typeof value !== 'boolean') issue(key, 'true or false', value);
  } else if (setting.kind === 'shaped') {
    SHAPED[name as ShapedSettingName](value, key, issue);
  } else if (setting.kind === 'text' && (setting as TextSetting).list === true) {
    array(value, key, issue, 'required' in setting ? 1 : 0).forEach((item, i) => checked(name as TextSettingName, item, `${key}[${i}]`, issue));
  } else {
    checked(name as NumberSettingName | TextSettingName, value, key, issue);
  }
}

/** An entry (a stack, a VPC, an access log bucket): no key it does not know, each key by its row. */
function parseEntry(value: unknown, key: string, names: readonly SettingName[], issue: Issue): Record<string, unknown> {
  const entry = object(value, key, issue);
  onlyKeys(entry, key, names, issue);
  for (const name of names) parseSetting(name, entry[name], `${key}.${name}`, issue);
  return entry;
}

function parseStack(value: unknown, key: string, issue: Issue): StackConfig {
  const s = parseEntry(value, key, STACK_SETTINGS, issue);
  checkPeriod(s, key, issue);
  if (s.topicArn !== undefined && s.alarmEmails !== undefined) issue(`${key}.alarmEmails`, EMAILS_WITH_TOPIC, s.alarmEmails);
  if (s.probePublicOrigins === true && s.cloudFront !== true) issue(`${key}.probePublicOrigins`, PUBLIC_ORIGINS_NEED_CLOUDFRONT, s.probePublicOrigins);
  return s as unknown as StackConfig;
}

/** What `longTimeouts` accepts, in the words of the error. */
const LONG_TIMEOUTS_EXPECTED = `how the long probe tasks reach ECR, S3 and CloudWatch Logs: ${SETTINGS.longTimeouts.expected}`;

function parseLongTimeouts(value: unknown, key: string, issue: Issue): void {
  const v = object(value, key, issue);
  const keys = Object.keys(v);
  if (keys.length !== 1 || !['natGateway', 'vpcEndpoints'].includes(keys[0]) || v[keys[0]] !== true) issue(key, LONG_TIMEOUTS_EXPECTED, value);
}

/** The issue when the stack's schedule, period and `longTimeouts` disagree (see `periodOf`). */
function checkPeriod(s: Record<string, unknown>, key: string, issue: Issue): void {
  try {
    periodOf((s.schedule as string | undefined) ?? DEFAULT_SCHEDULE, s.periodMinutes as number | undefined, s.longTimeouts !== undefined);
  } catch (error) {
    if (!(error instanceof PeriodError)) throw error;
    issue(`${key}.${error.key}`, error.expected, error.got);
  }
}

/** `[from, to]` of a port entry: a number or `from-to`. */
export function portRange(value: unknown, key: string, issue: Issue = throwIssue): [number, number] {
  const text = String(value);
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const from = m ? Number(m[1]) : NaN;
  const to = m?.[2] !== undefined ? Number(m[2]) : from;
  if ((typeof value !== 'number' && typeof value !== 'string') || !m || from < PORT_RANGE.min || to > PORT_RANGE.max || from > to) issue(key, `a port (${PORT_RANGE.min}-${PORT_RANGE.max}) or a range such as 30000-32767`, value);
  return [from, to];
}

/** Rejects a key the schema does not know: a misspelt key would otherwise be ignored silently. */
function onlyKeys(value: Record<string, unknown>, key: string, accepted: readonly string[], issue: Issue): void {
  const unknown = Object.keys(value).find((name) => !accepted.includes(name));
  if (unknown !== undefined) issue(`${key}.${printable(unknown, SHOWN.key)}`, `no such key (accepted: ${accepted.join(', ')})`, value[unknown]);
}

function object(value: unknown, key: string, issue: Issue): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : issue(key, 'an object', value);
}

function array(value: unknown, key: string, issue: Issue, min: number): unknown[] {
  return Array.isArray(value) && value.length >= min ? value : issue(key, min > 0 ? `a list of at least ${min}` : 'a list', value);
}

function match(value: unknown, key: string, pattern: RegExp, expected: string, issue: Issue): void {
  if (typeof value !== 'string' || !pattern.test(value)) issue(key, expected, value);
}

function checked(name: NumberSettingName | TextSettingName, value: unknown, key: string, issue: Issue): void {
  const expected = settingIssue(name, value);
  if (expected !== undefined) issue(key, expected, value);
}
