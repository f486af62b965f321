/**
 * The deployment configuration (`cdk.json` context key `idle-canary`), validated at synth
 * time with errors that name the bad key.
 */
import { Annotations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { EMAILS_WITH_TOPIC, numberPropIssue, stringPropIssue, type AccessLogBucketConfig, type IdleCanaryProps, type NumberPropName, type StringPropName, type VpcConfig, type VpcIdsConfig } from './props';
import { DEFAULT_SCHEDULE, PeriodError, periodOf, SCHEDULE_EXPRESSION } from './schedule';
import { metricSetIssue } from '../lambda/metrics/names';
import { describeValue, printable } from '../lambda/shared/printable';

/**
 * One stack: an account and region, and the construct's props in JSON form (see
 * `IdleCanaryProps` for each one's meaning and default).
 */
export interface StackConfig extends Omit<IdleCanaryProps, 'vpcs' | 'margin' | 'topic' | 'reportRetention' | 'logRetention'> {
  readonly account: string;
  readonly region: string;
  /** VPCs by ids (see `vpcsFromIds`). */
  readonly vpcs: readonly VpcIdsConfig[];
  /** Headroom below which a load balancer fails, in seconds. @default 1 */
  readonly marginS?: number;
  /** An existing SNS topic for alarms; a topic is created when not given. */
  readonly topicArn?: string;
  /** Days reports are kept. @default 90 */
  readonly reportRetentionDays?: number;
  /** Days logs are kept. @default 30 */
  readonly logRetentionDays?: number;
}

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

/** Every key a stack entry accepts, in the README's order. */
export const STACK_KEYS = [
  'account', 'region', 'vpcs', 'loadBalancerNames', 'tags', 'schedule', 'periodMinutes', 'topicArn', 'alarmEmails', 'alarmNamePrefix', 'okNotifications', 'marginS', 'namespace', 'metrics', 'maxBackendsPerPort',
  'digestSchedule', 'runAfterEcsDeployments', 'runAfterCodeDeployDeployments', 'reportRetentionDays', 'logRetentionDays', 'maxConcurrency',
  'inlineMaxBackends', 'toleratedFailurePercentage', 'accessLogBuckets', 'hangupsAlarmThreshold', 'longTimeouts',
] as const satisfies ReadonlyArray<keyof StackConfig>;

/** Every key a VPC entry accepts. */
export const VPC_KEYS = ['vpcId', 'subnetIds', 'backendPorts', 'cidr', 'backendSecurityGroupIds', 'addIngress'] as const satisfies ReadonlyArray<keyof VpcIdsConfig>;

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

const ACCESS_LOG_BUCKET_KEYS = ['bucketName', 'prefix'] as const satisfies ReadonlyArray<keyof AccessLogBucketConfig>;

function parseStack(value: unknown, key: string, issue: Issue): StackConfig {
  const s = object(value, key, issue);
  onlyKeys(s, key, STACK_KEYS, issue);
  match(s.account, `${key}.account`, /^\d{12}$/, 'a 12-digit account id', issue);
  match(s.region, `${key}.region`, /^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'a region such as eu-west-1', issue);
  const vpcs = array(s.vpcs, `${key}.vpcs`, issue, 1).map((vpc, i) => parseVpc(vpc, `${key}.vpcs[${i}]`, issue));
  for (const list of ['loadBalancerNames', 'tags'] as const) {
    optional(s[list], `${key}.${list}`, (v, k) => array(v, k, issue, 0).forEach((item, i) => stringProp(list, item, `${k}[${i}]`, issue)));
  }
  optional(s.alarmNamePrefix, `${key}.alarmNamePrefix`, (v, k) => stringProp('alarmNamePrefix', v, k, issue));
  optional(s.schedule, `${key}.schedule`, (v, k) => match(v, k, SCHEDULE_EXPRESSION, 'rate(N minutes) or cron(...)', issue));
  optional(s.digestSchedule, `${key}.digestSchedule`, (v, k) => match(v, k, SCHEDULE_EXPRESSION, 'rate(N days) or cron(...)', issue));
  optional(s.periodMinutes, `${key}.periodMinutes`, (v, k) => numberProp('periodMinutes', v, k, issue));
  optional(s.longTimeouts, `${key}.longTimeouts`, (v, k) => parseLongTimeouts(v, k, issue));
  checkPeriod(s, key, issue);
  optional(s.topicArn, `${key}.topicArn`, (v, k) => match(v, k, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'an SNS topic ARN', issue));
  optional(s.alarmEmails, `${key}.alarmEmails`, (v, k) => array(v, k, issue, 0).forEach((e, i) => match(e, `${k}[${i}]`, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an email address', issue)));
  optional(s.marginS, `${key}.marginS`, (v, k) => numberProp('marginS', v, k, issue));
  optional(s.namespace, `${key}.namespace`, (v, k) => match(v, k, /^[A-Za-z0-9._/#:-]{1,255}$/, 'a CloudWatch namespace', issue));
  optional(s.metrics, `${key}.metrics`, (v, k) => {
    const expected = metricSetIssue(v);
    if (expected !== undefined) issue(k, expected, v);
  });
  optional(s.maxBackendsPerPort, `${key}.maxBackendsPerPort`, (v, k) => numberProp('maxBackendsPerPort', v, k, issue));
  optional(s.reportRetentionDays, `${key}.reportRetentionDays`, (v, k) => range(v, k, 1, 3650, issue));
  optional(s.logRetentionDays, `${key}.logRetentionDays`, (v, k) => range(v, k, 1, 3653, issue));
  optional(s.maxConcurrency, `${key}.maxConcurrency`, (v, k) => numberProp('maxConcurrency', v, k, issue));
  optional(s.inlineMaxBackends, `${key}.inlineMaxBackends`, (v, k) => numberProp('inlineMaxBackends', v, k, issue));
  optional(s.toleratedFailurePercentage, `${key}.toleratedFailurePercentage`, (v, k) => range(v, k, 0, 100, issue));
  optional(s.accessLogBuckets, `${key}.accessLogBuckets`, (v, k) => array(v, k, issue, 0).forEach((bucket, i) => parseAccessLogBucket(bucket, `${k}[${i}]`, issue)));
  optional(s.hangupsAlarmThreshold, `${key}.hangupsAlarmThreshold`, (v, k) => range(v, k, 1, 1_000_000, issue));
  for (const flag of ['runAfterEcsDeployments', 'runAfterCodeDeployDeployments', 'okNotifications'] as const) {
    optional(s[flag], `${key}.${flag}`, (v, k) => (typeof v === 'boolean' ? v : issue(k, 'true or false', v)));
  }
  if (s.topicArn !== undefined && s.alarmEmails !== undefined) issue(`${key}.alarmEmails`, EMAILS_WITH_TOPIC, s.alarmEmails);
  return { ...(s as unknown as StackConfig), vpcs };
}

function parseVpc(value: unknown, key: string, issue: Issue): VpcIdsConfig {
  const v = object(value, key, issue);
  onlyKeys(v, key, VPC_KEYS, issue);
  match(v.vpcId, `${key}.vpcId`, /^vpc-[0-9a-f]{8,17}$/, 'a VPC id like vpc-0a1b2c3d', issue);
  const subnets = array(v.subnetIds, `${key}.subnetIds`, issue, 1);
  subnets.forEach((id, i) => match(id, `${key}.subnetIds[${i}]`, /^subnet-[0-9a-f]{8,17}$/, 'a subnet id like subnet-0a1b2c3d', issue));
  array(v.backendPorts, `${key}.backendPorts`, issue, 1).forEach((port, i) => portRange(port, `${key}.backendPorts[${i}]`, issue));
  optional(v.cidr, `${key}.cidr`, (c, k) => match(c, k, /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR such as 10.0.0.0/16', issue));
  optional(v.backendSecurityGroupIds, `${key}.backendSecurityGroupIds`, (ids, k) => array(ids, k, issue, 0).forEach((id, i) => match(id, `${k}[${i}]`, /^sg-[0-9a-f]{8,17}$/, 'a security group id like sg-0a1b2c3d', issue)));
  optional(v.addIngress, `${key}.addIngress`, (a, k) => (typeof a === 'boolean' ? a : issue(k, 'true or false', a)));
  return v as unknown as VpcIdsConfig;
}

/** What `longTimeouts` accepts, in the words of the error. */
const LONG_TIMEOUTS_EXPECTED = 'how the long probe tasks reach ECR, S3 and CloudWatch Logs: { "natGateway": true } or { "vpcEndpoints": true }';

function parseLongTimeouts(value: unknown, key: string, issue: Issue): void {
  const v = object(value, key, issue);
  const keys = Object.keys(v);
  if (keys.length !== 1 || !['natGateway', 'vpcEndpoints'].includes(keys[0]) || v[keys[0]] !== true) issue(key, LONG_TIMEOUTS_EXPECTED, value);
}

function parseAccessLogBucket(value: unknown, key: string, issue: Issue): void {
  const b = object(value, key, issue);
  onlyKeys(b, key, ACCESS_LOG_BUCKET_KEYS, issue);
  match(b.bucketName, `${key}.bucketName`, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name', issue);
  optional(b.prefix, `${key}.prefix`, (p, k) => match(p, k, /^(?!\/)(?!.*AWSLogs)[^\s]{1,512}$/, 'the prefix set in the load balancers\' logging, without a leading slash or AWSLogs', issue));
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
  if ((typeof value !== 'number' && typeof value !== 'string') || !m || from < 1 || to > 65535 || from > to) issue(key, 'a port (1-65535) or a range such as 30000-32767', value);
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

function range(value: unknown, key: string, min: number, max: number, issue: Issue): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) issue(key, `a number from ${min} to ${max}`, value);
}

function numberProp(name: NumberPropName, value: unknown, key: string, issue: Issue): void {
  const expected = numberPropIssue(name, value);
  if (expected !== undefined) issue(key, expected, value);
}

function stringProp(name: StringPropName, value: unknown, key: string, issue: Issue): void {
  const expected = stringPropIssue(name, value);
  if (expected !== undefined) issue(key, expected, value);
}

function optional(value: unknown, key: string, check: (value: unknown, key: string) => unknown): void {
  if (value !== undefined) check(value, key);
}
