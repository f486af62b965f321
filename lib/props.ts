/**
 * What the `IdleCanary` construct takes, and its defaults: the types both the construct and
 * the `cdk.json` configuration (`config.ts`) read, in a module that imports neither.
 */
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { DEFAULT_METRIC_SET, DEFAULT_NAMESPACE, metricSetIssue, type MetricSet } from '../lambda/metrics/names';
import { describeValue } from '../lambda/shared/printable';
import { DEFAULTS, RANGES } from '../lambda/shared/settings';
import { DEFAULT_SCHEDULE } from './schedule';

/** One VPC whose backends are probed: the probe function runs in its subnets. */
export interface VpcConfig {
  /**
   * The VPC, as CDK apps hold it, e.g. `ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: 'vpc-0a1b2c3d' })`;
   * its id must be known at synth (a lookup or an import, not a VPC created in the same app).
   */
  readonly vpc: ec2.IVpc;
  /**
   * Private subnets with a route to the backends (no internet access needed).
   * @default the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Backend ports the probe may reach: numbers, or ranges such as `30000-32767` (Kubernetes NodePorts). */
  readonly backendPorts: ReadonlyArray<number | string>;
  /**
   * The VPC's CIDR, to limit the probe's egress.
   * @default any IPv4 address
   */
  readonly cidr?: string;
  /**
   * Backend security groups: egress goes to them, and with `addIngress` they admit the probe.
   * @default none: egress to `cidr` on `backendPorts`
   */
  readonly backendSecurityGroups?: readonly ec2.ISecurityGroup[];
  /** Add ingress rules to `backendSecurityGroups` for the probe's security group. @default false */
  readonly addIngress?: boolean;
}

/** One VPC as `cdk.json` names it: by ids, which the stack imports into a `VpcConfig` (see `lib/config.ts`). */
export interface VpcIdsConfig {
  /** The VPC's id, e.g. `vpc-0a1b2c3d`. */
  readonly vpcId: string;
  /** Private subnets (with a route to the backends; no internet access needed). */
  readonly subnetIds: readonly string[];
  /** As `VpcConfig.backendPorts`. */
  readonly backendPorts: ReadonlyArray<number | string>;
  /** As `VpcConfig.cidr`. @default any IPv4 address */
  readonly cidr?: string;
  /** As `VpcConfig.backendSecurityGroups`, by id. @default none */
  readonly backendSecurityGroupIds?: readonly string[];
  /** As `VpcConfig.addIngress`. @default false */
  readonly addIngress?: boolean;
}

/** A bucket that load balancers write access logs to. */
export interface AccessLogBucketConfig {
  /** The bucket's name, in this account and region. */
  readonly bucketName: string;
  /**
   * The prefix given to the load balancers' logging settings (without `AWSLogs`).
   * @default none: logs are under `AWSLogs/` at the bucket's root
   */
  readonly prefix?: string;
}

/**
 * The long-horizon probe (ECS Fargate, for load balancers whose idle timeouts do not fit a
 * Lambda): how its tasks, in the VPCs' private subnets, reach ECR (image), S3 (plan and result)
 * and CloudWatch Logs. Exactly one of the two, `true`.
 */
export type LongTimeoutsConfig =
  /** The subnets route to a NAT gateway. */
  | { readonly natGateway: true; readonly vpcEndpoints?: never }
  /** The VPCs have endpoints for ECR (`ecr.api`, `ecr.dkr`), S3 (gateway) and CloudWatch Logs (`logs`). */
  | { readonly vpcEndpoints: true; readonly natGateway?: never };

export interface IdleCanaryProps {
  /** VPCs whose load balancers' backends are probed; one probe function each. */
  readonly vpcs: readonly VpcConfig[];
  /**
   * When runs start (EventBridge Scheduler expression).
   * @default 'rate(15 minutes)'
   */
  readonly schedule?: string;
  /**
   * The schedule's period, for the heartbeat alarm and the rotation of sampled backends: with
   * a `rate(...)` schedule it is derived (and must match if given); with `cron(...)`, the
   * longest gap between two runs, required. At most 90 (see `MAX_PERIOD_MINUTES`).
   * @default the period of a `rate(...)` schedule
   */
  readonly periodMinutes?: number;
  /**
   * Only the load balancers with these names are probed: names, or patterns with `*`
   * (`k8s-prod-*`). Narrows what a run costs.
   * @default every load balancer in the VPCs
   */
  readonly loadBalancerNames?: readonly string[];
  /**
   * Only the load balancers carrying all of these tags are probed: `key` (any value) or
   * `key=value`. Narrows what a run costs.
   * @default no tag needed
   */
  readonly tags?: readonly string[];
  /**
   * Topic that alarms notify; one is created when not given.
   * @default a new topic
   */
  readonly topic?: sns.ITopic;
  /**
   * Emails subscribed to the created topic (refused with `topic`: subscribe them to that topic).
   * @default none
   */
  readonly alarmEmails?: readonly string[];
  /**
   * What every alarm's name starts with, followed by `-` and the alarm (`Heartbeat`,
   * `LoadBalancersFailing`, ...), so that the notifications say which monitor speaks.
   * @default the stack's name
   */
  readonly alarmNamePrefix?: string;
  /**
   * Whether the topic also hears when an alarm returns to OK.
   * @default false: only ALARM is notified (the change notifications already say what recovered)
   */
  readonly okNotifications?: boolean;
  /**
   * Headroom below which a load balancer fails: a backend must tolerate idle connections this
   * much longer than the load balancer's idle timeout.
   * @default Duration.seconds(1)
   */
  readonly margin?: Duration;
  /**
   * CloudWatch namespace of the metrics.
   * @default 'IdleCanary'
   */
  readonly namespace?: string;
  /**
   * The metrics published (docs/CONTRACTS.md lists each set's): `lean`, one custom metric per
   * load balancer (its smallest headroom) and a few fleet metrics that the alarms watch, about
   * $0.40 per load balancer-month; `detailed`, every per-phase limit, headroom and count per load
   * balancer, about $2.70 (`npm run cost`). Switching stops the old set's series (they age out
   * of CloudWatch) and starts the new set's; the alarms and the dashboard follow.
   * @default 'lean'
   */
  readonly metrics?: MetricSet;
  /**
   * Backends probed per load balancer and port in one run (rotated across runs).
   * @default 2
   */
  readonly maxBackendsPerPort?: number;
  /**
   * When the digest of the fleet's state is sent to the topic (EventBridge Scheduler expression).
   * @default 'rate(1 day)'
   */
  readonly digestSchedule?: string;
  /**
   * Start a run when an ECS service deployment completes.
   * @default true
   */
  readonly runAfterEcsDeployments?: boolean;
  /**
   * Start a run when a CodeDeploy deployment succeeds.
   * @default true
   */
  readonly runAfterCodeDeployDeployments?: boolean;
  /**
   * How long run reports are kept.
   * @default Duration.days(90)
   */
  readonly reportRetention?: Duration;
  /**
   * How long logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Probe shards (inline) or batches (Distributed Map) run at once.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Above this many backends in a run, plans and results go through S3 and Distributed Maps
   * instead of the state (Step Functions carries at most 256 KB).
   * @default 100
   */
  readonly inlineMaxBackends?: number;
  /**
   * Share of a Distributed Map's batches that may fail before the map fails (publish still
   * counts the failed ones as probe errors either way).
   * @default 100
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Buckets the load balancers write their access logs to. Each new log object is counted
   * (requests, and backend hang-ups: 502/504 with no backend response) and published as
   * `BackendHangups` and `RequestsLogged`; the run report shows the last hour's counts next
   * to each verdict.
   * @default none: access logs are not read
   */
  readonly accessLogBuckets?: readonly AccessLogBucketConfig[];
  /**
   * Hang-ups on one load balancer within 5 minutes that raise the hang-up alarm.
   * @default 5
   */
  readonly hangupsAlarmThreshold?: number;
  /**
   * Probe load balancers whose idle timeouts do not fit a Lambda (above 273 s; up to 4,000 s)
   * with a task on ECS Fargate started by the same run, in each VPC's subnets with the probe
   * security group; says how the tasks reach ECR, S3 and CloudWatch Logs (a NAT gateway, or VPC
   * endpoints). Requires a 90-minute schedule: such a run lasts up to 89 minutes.
   * @default none: every backend goes to the probe functions, and a horizon that does not fit one is `inconclusive`
   */
  readonly longTimeouts?: LongTimeoutsConfig;
}

/** Defaults of `IdleCanaryProps`, merged once. */
export const defaults = {
  schedule: DEFAULT_SCHEDULE,
  digestSchedule: 'rate(1 day)',
  margin: Duration.seconds(DEFAULTS.marginS),
  namespace: DEFAULT_NAMESPACE,
  metrics: DEFAULT_METRIC_SET,
  maxBackendsPerPort: DEFAULTS.maxBackendsPerPort,
  runAfterEcsDeployments: true,
  runAfterCodeDeployDeployments: true,
  reportRetention: Duration.days(90),
  logRetention: logs.RetentionDays.ONE_MONTH,
  maxConcurrency: DEFAULTS.maxConcurrency,
  inlineMaxBackends: DEFAULTS.inlineMaxBackends,
  toleratedFailurePercentage: 100,
  accessLogBuckets: [],
  hangupsAlarmThreshold: 5,
  okNotifications: false,
} as const;

/** The string props (and list props' items) checked alike by every front door: the pattern and what it accepts. */
const STRING_PROPS = {
  loadBalancerNames: { pattern: /^[A-Za-z0-9*-]{1,32}$/, expected: 'a load balancer name, or a pattern with * (letters, digits, - and *; at most 32)' },
  tags: { pattern: /^[^,=\p{Cc}]{1,128}(=[^,\p{Cc}]{0,256})?$/u, expected: 'a tag key, or key=value, without commas' },
  alarmNamePrefix: { pattern: /^[\x20-\x7e]{1,200}$/, expected: 'up to 200 printable ASCII characters' },
} as const;

/** A string prop's name (or list prop's, for its items), for `stringPropIssue`. */
export type StringPropName = keyof typeof STRING_PROPS;

/**
 * What a string prop (or a list prop's item) accepts, when `value` is not that; `undefined` when it is.
 *
 * Why here: cdk.json and the construct refuse the same values in the same words.
 *
 * @example
 * stringPropIssue('tags', 'team=a,b'); // 'a tag key, or key=value, without commas'
 */
export function stringPropIssue(name: StringPropName, value: unknown): string | undefined {
  const { pattern, expected } = STRING_PROPS[name];
  return typeof value === 'string' && pattern.test(value) ? undefined : expected;
}

/** What `alarmEmails` accepts beside a topic of the user's own (cdk.json's `topicArn`, the construct's `topic`). */
export const EMAILS_WITH_TOPIC = 'no emails with a topic of your own (subscribe them to that topic)';

/** The props the construct checks as cdk.json does, in their types. */
type CheckedProps = Partial<Record<Exclude<NumberPropName, 'marginS'>, number>> & {
  readonly margin?: Duration;
  readonly loadBalancerNames?: readonly string[];
  readonly tags?: readonly string[];
  readonly alarmNamePrefix?: string;
  readonly topic?: unknown;
  readonly alarmEmails?: readonly string[];
};

/**
 * Throws, in one line naming the prop, its value and what is accepted, for a prop cdk.json
 * would refuse: the number props, the selection lists, the alarm name prefix, and emails
 * beside a topic of the user's own.
 *
 * Why at synth: a value the functions' own checks refuse would otherwise deploy and fail every
 * run, one Step Functions refuses (an inline Map above 40) would fail only at deploy, and
 * emails beside a topic would be dropped without a word.
 *
 * @example
 * checkProps({ maxConcurrency: 500 }); // throws 'maxConcurrency: expected a whole number from 1 to 40, got 500'
 */
export function checkProps(props: CheckedProps): void {
  const refuse = (key: string, expected: string, got: unknown) => {
    throw new Error(`${key}: expected ${expected}, got ${describeValue(got)}`);
  };
  for (const name of Object.keys(NUMBER_PROPS).filter((n) => n !== 'marginS') as Array<Exclude<NumberPropName, 'marginS'>>) {
    const expected = props[name] === undefined ? undefined : numberPropIssue(name, props[name]);
    if (expected !== undefined) refuse(name, expected, props[name]);
  }
  const marginIssue = props.margin === undefined ? undefined : numberPropIssue('marginS', secondsOf(props.margin));
  if (marginIssue !== undefined) throw new Error(`margin: expected ${marginIssue} seconds, got ${props.margin!.toHumanString()}`);
  for (const name of ['loadBalancerNames', 'tags'] as const) {
    (props[name] ?? []).forEach((item, i) => {
      const expected = stringPropIssue(name, item);
      if (expected !== undefined) refuse(`${name}[${i}]`, expected, item);
    });
  }
  const prefixIssue = props.alarmNamePrefix === undefined ? undefined : stringPropIssue('alarmNamePrefix', props.alarmNamePrefix);
  if (prefixIssue !== undefined) refuse('alarmNamePrefix', prefixIssue, props.alarmNamePrefix);
  if (props.topic !== undefined && props.alarmEmails !== undefined) refuse('alarmEmails', EMAILS_WITH_TOPIC, props.alarmEmails);
}


/** The number props checked against the ranges every front door shares, and whether whole. */
const NUMBER_PROPS = {
  marginS: { ...RANGES.marginS, whole: false },
  maxBackendsPerPort: { ...RANGES.maxBackendsPerPort, whole: true },
  periodMinutes: { ...RANGES.periodMinutes, whole: false },
  maxConcurrency: { ...RANGES.maxConcurrency, whole: true },
  inlineMaxBackends: { ...RANGES.inlineMaxBackends, whole: true },
} as const;

/** A number prop's name, for `numberPropIssue`. */
export type NumberPropName = keyof typeof NUMBER_PROPS;

/**
 * What a number prop accepts, when `value` is not that; `undefined` when it is.
 *
 * Why one check for the construct and cdk.json: both must refuse the same values, in the same
 * words (a whole number where the functions count, the same ranges as the functions).
 *
 * @example
 * numberPropIssue('maxConcurrency', 2.5); // 'a whole number from 1 to 40'
 */
export function numberPropIssue(name: NumberPropName, value: unknown): string | undefined {
  const { min, max, whole } = NUMBER_PROPS[name];
  const fits = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!whole || Number.isInteger(value));
  return fits ? undefined : `${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`;
}

/**
 * A duration in seconds, fractions kept (`Duration.toSeconds()` refuses a fraction).
 *
 * @example
 * secondsOf(Duration.millis(1500)); // 1.5
 */
export function secondsOf(duration: Duration): number {
  return duration.toMilliseconds() / 1000;
}

/**
 * Throws, in one line naming the prop, its value and the sets, when `metrics` names no set.
 *
 * Why at synth: TypeScript users cannot pass another string, but JavaScript users and
 * `cdk.json` can; a set the functions refuse would fail every run once deployed.
 *
 * @example
 * checkMetricsProp({ metrics: 'full' }); // throws "metrics: expected 'lean' or 'detailed', got \"full\""
 */
export function checkMetricsProp(props: { readonly metrics?: unknown }): void {
  const expected = props.metrics === undefined ? undefined : metricSetIssue(props.metrics);
  if (expected !== undefined) throw new Error(`metrics: expected ${expected}, got ${describeValue(props.metrics)}`);
}
