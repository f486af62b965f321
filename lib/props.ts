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
import { DEFAULTS, SETTINGS, settingIssue, STACK_NUMBER_SETTINGS, type NumberSettingName, type StackNumberName, type TextSetting, type TextSettingName } from '../lambda/shared/settings';
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
   * longest gap between two runs, required. At most 90 (see `SETTINGS.periodMinutes`).
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
   * Width below which a lazy backend's limit is not narrowed further: a finer bracket takes
   * more narrowing rounds (and probe time) per run.
   * @default Duration.millis(500)
   */
  readonly precision?: Duration;
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
   * Also read the account's CloudFront distributions: an origin that is a load balancer is
   * checked against CloudFront's origin keep-alive, a VPC origin on an instance is probed.
   * @default false
   */
  readonly cloudFront?: boolean;
  /**
   * With `cloudFront`, also probe custom origins on the internet from a probe function outside
   * any VPC (it sends traffic to your public endpoints).
   * @default false: such origins are listed as not probed
   */
  readonly probePublicOrigins?: boolean;
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

/** Defaults of `IdleCanaryProps`, merged once: the table's (`SETTINGS`), as CDK users hold them. */
export const defaults = {
  schedule: DEFAULT_SCHEDULE,
  digestSchedule: SETTINGS.digestSchedule.default,
  margin: Duration.seconds(DEFAULTS.marginS),
  namespace: DEFAULT_NAMESPACE,
  metrics: DEFAULT_METRIC_SET,
  maxBackendsPerPort: DEFAULTS.maxBackendsPerPort,
  runAfterEcsDeployments: SETTINGS.runAfterEcsDeployments.default,
  runAfterCodeDeployDeployments: SETTINGS.runAfterCodeDeployDeployments.default,
  cloudFront: SETTINGS.cloudFront.default,
  probePublicOrigins: SETTINGS.probePublicOrigins.default,
  reportRetention: Duration.days(DEFAULTS.reportRetentionDays),
  logRetention: logs.RetentionDays.ONE_MONTH,
  maxConcurrency: DEFAULTS.maxConcurrency,
  inlineMaxBackends: DEFAULTS.inlineMaxBackends,
  toleratedFailurePercentage: DEFAULTS.toleratedFailurePercentage,
  accessLogBuckets: [],
  hangupsAlarmThreshold: DEFAULTS.hangupsAlarmThreshold,
  okNotifications: SETTINGS.okNotifications.default,
} as const;

/** What `alarmEmails` accepts beside a topic of the user's own (cdk.json's `topicArn`, the construct's `topic`). */
export const EMAILS_WITH_TOPIC = 'no emails with a topic of your own (subscribe them to that topic)';

/**
 * The props held as a `Duration`: the number setting (`cdk.json` key) each one is, and that
 * number of a duration.
 */
export const DURATION_PROPS = {
  margin: { setting: 'marginS', of: (duration: Duration) => secondsOf(duration), to: (n: number) => Duration.seconds(n) },
  precision: { setting: 'precisionS', of: (duration: Duration) => secondsOf(duration), to: (n: number) => Duration.seconds(n) },
  reportRetention: { setting: 'reportRetentionDays', of: (duration: Duration) => duration.toMilliseconds() / Duration.days(1).toMilliseconds(), to: (n: number) => Duration.days(n) },
} as const satisfies Record<string, { setting: NumberSettingName; of: (d: Duration) => number; to: (n: number) => Duration }>;

/** A stack entry's number keys whose prop is a `Duration` or a `logs.RetentionDays`, not the number. */
type HeldOtherwise = (typeof DURATION_PROPS)[keyof typeof DURATION_PROPS]['setting'] | 'logRetentionDays';

/** The number props the construct checks, by their settings' rows: those of `cdk.json` whose prop is the number itself. */
const NUMBER_PROPS = STACK_NUMBER_SETTINGS.filter((name): name is Exclude<StackNumberName, HeldOtherwise> => name !== 'logRetentionDays' && !Object.values(DURATION_PROPS).some((d) => d.setting === name));

/** The string props (and list props, item by item) the construct checks as cdk.json does. */
const TEXT_PROPS = ['loadBalancerNames', 'tags', 'alarmNamePrefix', 'namespace'] as const satisfies readonly TextSettingName[];

/** The props the construct checks as cdk.json does, in their types. */
type CheckedProps = { readonly [K in Exclude<StackNumberName, HeldOtherwise>]?: number } & { readonly [K in keyof typeof DURATION_PROPS]?: Duration } & {
  readonly loadBalancerNames?: readonly string[];
  readonly tags?: readonly string[];
  readonly alarmNamePrefix?: string;
  readonly namespace?: string;
  readonly topic?: unknown;
  readonly alarmEmails?: readonly string[];
};

/**
 * Throws, in one line naming the prop, its value and what is accepted, for a prop cdk.json
 * would refuse: the number props (by their rows in `SETTINGS`), the durations, the selection
 * lists, the alarm name prefix, the namespace, and emails beside a topic of the user's own.
 *
 * Why at synth: a value the functions' own checks refuse would otherwise deploy and fail every
 * run, one Step Functions refuses (an inline Map above 40) would fail only at deploy, and
 * emails beside a topic would be dropped without a word.
 *
 * @example
 * checkProps({ maxConcurrency: 500 }); // throws 'maxConcurrency: expected a whole number from 1 to 40 (...), got 500'
 */
export function checkProps(props: CheckedProps): void {
  const refuse = (key: string, expected: string, got: string) => {
    throw new Error(`${key}: expected ${expected}, got ${got}`);
  };
  const check = (key: string, name: NumberSettingName | TextSettingName, value: unknown, shown = describeValue(value)) => {
    const expected = value === undefined ? undefined : settingIssue(name, value);
    if (expected !== undefined) refuse(key, expected, shown);
  };
  for (const name of NUMBER_PROPS) check(name, name, props[name]);
  for (const [prop, { setting, of }] of Object.entries(DURATION_PROPS)) {
    const duration = props[prop as keyof typeof DURATION_PROPS];
    if (duration !== undefined) check(prop, setting, of(duration), duration.toHumanString());
  }
  for (const name of TEXT_PROPS) {
    const value = props[name];
    if ((SETTINGS[name] as TextSetting).list === true) (value as readonly string[] | undefined ?? []).forEach((item, i) => check(`${name}[${i}]`, name, item));
    else check(name, name, value);
  }
  if (props.topic !== undefined && props.alarmEmails !== undefined) refuse('alarmEmails', EMAILS_WITH_TOPIC, describeValue(props.alarmEmails));
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
