/**
 * The table of settings: one row per setting, with its environment variable, its `cdk.json`
 * key, its command-line flag, its default, its range and one line of documentation. The
 * command line, the handlers' environment reader, the construct's environment writer and props
 * checks, the `cdk.json` parser and the README's settings table are all derived from it.
 *
 * Why one table: a range typed in five modules drifts the first time one of them changes, and
 * a run's parts must agree on it (discover shards by the same socket budget the probe function
 * then holds to). Adding a setting is adding a row, and using it where it is used.
 *
 * @example
 * SETTINGS.maxConcurrency; // { kind: 'number', default: 10, min: 1, max: 40, whole: true, env: 'IDLE_CANARY_MAX_CONCURRENCY', config: 'maxConcurrency', ... }
 * settingIssue('maxConcurrency', 41); // 'a whole number from 1 to 40'
 */
import { DEFAULT_METRIC_SET, DEFAULT_NAMESPACE, METRIC } from '../metrics/names';

/** The unit a number setting is written in: said in its accepted range and its README row. */
export type SettingUnit = 'seconds' | 'minutes' | 'days' | 'percent';

/** What every row says: where the setting is written, and what it means. */
interface SettingRow {
  /** One line of documentation: the README's meaning column. */
  readonly doc: string;
  /** The handlers' environment variable, which the construct sets. */
  readonly env?: string;
  /** The key of a stack entry in `cdk.json` (`vpcs[].X` and `accessLogBuckets[].X` for their entries' keys). */
  readonly config?: string;
  /** The command-line flag, as `--help` writes it. */
  readonly flag?: string;
  /** The default as the README shows it, when it is not the value itself (derived, none). */
  readonly shownDefault?: string;
  /** Must be given (a list: with at least one item). */
  readonly required?: true;
}

/** A number: its range, whether whole, its unit and its default. */
export interface NumberSetting extends SettingRow {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly whole: boolean;
  readonly unit?: SettingUnit;
  /** When unset and not given: `undefined` makes it required (or derived by its user). */
  readonly default?: number;
  /** Why the range ends where it does, when a user would ask: said with the range. */
  readonly why?: string;
}

/** A string (or each item of a list) matching a pattern. */
export interface TextSetting extends SettingRow {
  readonly kind: 'text';
  readonly pattern: RegExp;
  /** What the pattern accepts, in the words of the error. */
  readonly expected: string;
  /** A list of such strings. */
  readonly list?: boolean;
  /** When unset (a list's default is empty). */
  readonly default?: string;
}

/** `true` or `false`. */
export interface BooleanSetting extends SettingRow {
  readonly kind: 'boolean';
  readonly default: boolean;
}

/** A value with a shape of its own (VPCs, buckets, schedules, the metric set), checked by its parser in `lib/config.ts`. */
export interface ShapedSetting extends SettingRow {
  readonly kind: 'shaped';
  /** What it accepts, in the words of the error (an entry's keys are their own rows). */
  readonly expected: string;
  /** When unset, where it is a string. */
  readonly default?: string;
}

export type Setting = NumberSetting | TextSetting | BooleanSetting | ShapedSetting;

/** Minutes between scheduled runs unless configured: `periodMinutes`' default, and `schedule`'s. */
const DEFAULT_PERIOD_MINUTES = 15;

/** Minutes Metrics Insights evaluates for an alarm: the most recent 3 hours. */
export const METRICS_INSIGHTS_WINDOW_MINUTES = 180;

/** Periods the ProbeErrors alarm spans (two runs in a row): the longest Metrics Insights window. */
export const PROBE_ERRORS_PERIODS = 2;

/** Why a period ends at 90 minutes, in the words of the errors. */
export const PERIOD_WHY = `the ${METRIC.probeErrors.name} alarm spans ${PROBE_ERRORS_PERIODS} periods, and Metrics Insights evaluates the last ${METRICS_INSIGHTS_WINDOW_MINUTES / 60} hours only`;

/** The access log counter's timeout in seconds (a busy ALB's object is ~1 GB of text): a claim older than it, plus a minute, belongs to an invocation that died. */
export const ACCESS_LOG_TIMEOUT_S = 300;

/** A TCP port: what a backend port, a target's port and a port range's ends accept. */
export const PORT_RANGE = { min: 1, max: 65_535 } as const;

/** AWS ids as the APIs return them: a prefix and 8 or 17 hexadecimal digits. */
const awsId = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);

/** The patterns two front doors check alike (the command line's flags, `cdk.json`, the environment). */
export const PATTERNS = {
  vpcId: { pattern: awsId('vpc'), expected: 'a VPC id like vpc-0a1b2c3d' },
  subnetId: { pattern: awsId('subnet'), expected: 'a subnet id like subnet-0a1b2c3d' },
  securityGroupId: { pattern: awsId('sg'), expected: 'a security group id like sg-0a1b2c3d' },
  /** A run request's target group and a hook's alternate target group alike. */
  targetGroupArn: {
    pattern: /^arn:aws[a-z-]{0,20}:elasticloadbalancing:[a-z0-9-]{1,32}:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/,
    expected: 'a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID)',
  },
} as const;

/**
 * Every setting, in the README's order. Names are the `cdk.json` keys where there is one, and
 * the construct's prop names but for the durations (`margin`, `precision`, `reportRetention`:
 * `DURATION_PROPS` in `lib/props.ts`), `logRetention`, the topic and the VPCs (`PROPS_OF` in
 * `lib/config.ts`).
 */
export const SETTINGS = {
  account: { kind: 'text', config: 'account', pattern: /^\d{12}$/, expected: 'a 12-digit account id', required: true, doc: 'where the stack goes (with `region`); one stack per entry' },
  region: { kind: 'text', config: 'region', pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/, expected: 'a region such as eu-west-1', required: true, doc: 'the region of the stack and of the load balancers it watches' },
  vpcs: { kind: 'shaped', config: 'vpcs', expected: 'a list of VPC entries (their keys below)', required: true, doc: 'one entry per VPC whose load balancers are probed (its keys below); one probe function each' },
  vpcId: { kind: 'text', config: 'vpcs[].vpcId', ...PATTERNS.vpcId, required: true, doc: 'the VPC' },
  subnetIds: { kind: 'text', config: 'vpcs[].subnetIds', list: true, ...PATTERNS.subnetId, required: true, doc: 'the probe function runs in these (private) subnets, with a route to the backends' },
  backendPorts: { kind: 'shaped', config: 'vpcs[].backendPorts', expected: `a list of ports (${PORT_RANGE.min}-${PORT_RANGE.max}) or ranges such as 30000-32767`, required: true, doc: 'ports the probe may reach, e.g. `[80, 443, "30000-32767"]`' },
  cidr: { kind: 'text', config: 'vpcs[].cidr', pattern: /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, expected: 'an IPv4 CIDR such as 10.0.0.0/16', shownDefault: 'any IPv4', doc: "limits the probe's egress to the VPC" },
  backendSecurityGroupIds: { kind: 'text', config: 'vpcs[].backendSecurityGroupIds', list: true, ...PATTERNS.securityGroupId, shownDefault: 'none', doc: 'egress to those groups only (never to anything else)' },
  addIngress: { kind: 'boolean', config: 'vpcs[].addIngress', default: false, doc: 'adds rules to `backendSecurityGroupIds` admitting the probe' },
  loadBalancerNames: { kind: 'text', config: 'loadBalancerNames', list: true, pattern: /^[A-Za-z0-9*-]{1,32}$/, expected: 'a load balancer name, or a pattern with * (letters, digits, - and *; at most 32)', shownDefault: 'all', doc: 'only load balancers with these names, or `*` patterns (`["k8s-prod-*"]`): narrows what a run costs' },
  tags: { kind: 'text', config: 'tags', list: true, pattern: /^[^,=\p{Cc}]{1,128}(=[^,\p{Cc}]{0,256})?$/u, expected: 'a tag key, or key=value, without commas', shownDefault: 'none', doc: 'only load balancers carrying all these tags, `key` or `key=value` (`["team=payments"]`)' },
  schedule: { kind: 'shaped', config: 'schedule', expected: 'rate(N minutes) or cron(...)', default: `rate(${DEFAULT_PERIOD_MINUTES} minutes)`, doc: `when runs start (EventBridge Scheduler \`rate(...)\` or \`cron(...)\`); a period of at most 90 minutes (${PERIOD_WHY})` },
  periodMinutes: {
    kind: 'number', config: 'periodMinutes', env: 'IDLE_CANARY_PERIOD_MINUTES', default: DEFAULT_PERIOD_MINUTES, min: 1, max: METRICS_INSIGHTS_WINDOW_MINUTES / PROBE_ERRORS_PERIODS, whole: false, unit: 'minutes', why: PERIOD_WHY, shownDefault: 'from `rate(...)`',
    doc: 'the period the heartbeat and sampling use: derived from a `rate(...)` schedule (if given, it must match), required with `cron(...)` (the longest gap between runs)',
  },
  topicArn: { kind: 'text', config: 'topicArn', pattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, expected: 'an SNS topic ARN', shownDefault: 'a new topic', doc: "where alarms go, a topic of your own (not with `alarmEmails`); see step 6 for what its policy needs" },
  alarmEmails: { kind: 'text', config: 'alarmEmails', list: true, pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: 'an email address', shownDefault: 'none', doc: 'emails subscribed to the topic the stack creates (not with `topicArn`)' },
  alarmNamePrefix: { kind: 'text', config: 'alarmNamePrefix', pattern: /^[\x20-\x7e]{1,200}$/, expected: 'up to 200 printable ASCII characters', shownDefault: "the stack's name", doc: "what every alarm's name starts with (`<prefix>-Heartbeat`, `<prefix>-LoadBalancersFailing`, ...)" },
  okNotifications: { kind: 'boolean', config: 'okNotifications', default: false, doc: 'also notify when an alarm returns to OK (the change notifications already say what recovered)' },
  marginS: { kind: 'number', config: 'marginS', env: 'IDLE_CANARY_MARGIN_S', flag: '--margin', default: 1, min: 0, max: 600, whole: false, unit: 'seconds', doc: 'headroom below which a load balancer (or a phase) fails; the `idle-canary:margin` tag overrides it' },
  precisionS: { kind: 'number', config: 'precisionS', env: 'IDLE_CANARY_PRECISION_S', flag: '--precision', default: 0.5, min: 0.01, max: 600, whole: false, unit: 'seconds', doc: "width below which a lazy limit's bracket is not narrowed further: finer takes more narrowing rounds per run" },
  namespace: { kind: 'text', config: 'namespace', env: 'IDLE_CANARY_NAMESPACE', flag: '--namespace', pattern: /^[A-Za-z0-9._/#:-]{1,255}$/, expected: 'a CloudWatch namespace: 1 to 255 letters, digits or . - _ / # :', default: DEFAULT_NAMESPACE, doc: 'CloudWatch namespace of the metrics' },
  metrics: { kind: 'shaped', config: 'metrics', expected: "'lean' or 'detailed'", env: 'IDLE_CANARY_METRICS', flag: '--metrics', default: DEFAULT_METRIC_SET, doc: 'the metric set: `lean` (one `Headroom` per load balancer and fleet metrics, about $0.40 per load balancer-month) or `detailed` (every per-phase limit, headroom and count per load balancer, about $2.70); see [Metric sets](#metric-sets)' },
  maxBackendsPerPort: { kind: 'number', config: 'maxBackendsPerPort', env: 'IDLE_CANARY_MAX_BACKENDS_PER_PORT', flag: '--max-backends', default: 2, min: 1, max: 1000, whole: true, doc: 'healthy backends probed per load balancer and port per run, rotated across runs' },
  digestSchedule: { kind: 'shaped', config: 'digestSchedule', expected: 'rate(N days) or cron(...)', default: 'rate(1 day)', doc: "when the fleet's state is sent to the topic" },
  runAfterEcsDeployments: { kind: 'boolean', config: 'runAfterEcsDeployments', default: true, doc: 'also run right after an ECS service deployment, so the run after a runtime upgrade says what changed' },
  runAfterCodeDeployDeployments: { kind: 'boolean', config: 'runAfterCodeDeployDeployments', default: true, doc: 'also run right after a CodeDeploy deployment succeeds' },
  cloudFront: { kind: 'boolean', config: 'cloudFront', env: 'IDLE_CANARY_CLOUDFRONT', flag: '--cloudfront', default: false, doc: "also read the account's CloudFront distributions (a global API): an origin that is a load balancer is checked against CloudFront's origin keep-alive, a VPC origin on an instance is probed like a backend" },
  probePublicOrigins: { kind: 'boolean', config: 'probePublicOrigins', env: 'IDLE_CANARY_PROBE_PUBLIC_ORIGINS', flag: '--probe-public-origins', default: false, doc: 'with `cloudFront`, also probe custom origins on the internet, from a probe function outside any VPC (traffic to your public endpoints); otherwise they are listed as not probed, with the command to probe one by hand' },
  reportRetentionDays: { kind: 'number', config: 'reportRetentionDays', default: 90, min: 1, max: 3650, whole: true, unit: 'days', why: 'S3 expires objects after whole days', doc: 'how long run reports are kept' },
  logRetentionDays: { kind: 'number', config: 'logRetentionDays', default: 30, min: 1, max: 3653, whole: false, unit: 'days', why: "rounded up to CloudWatch Logs' next retention, at most 10 years", doc: 'how long logs are kept' },
  maxConcurrency: { kind: 'number', config: 'maxConcurrency', env: 'IDLE_CANARY_MAX_CONCURRENCY', default: 10, min: 1, max: 40, whole: true, why: 'Step Functions runs at most 40 iterations of an inline Map at once', doc: 'probe invocations (shards, or Distributed Map batches) run at once' },
  inlineMaxBackends: {
    kind: 'number', config: 'inlineMaxBackends', env: 'IDLE_CANARY_INLINE_MAX_BACKENDS', default: 100, min: 0, max: 10_000, whole: true,
    doc: "at most this many backends travel through the state machine's state; above, and whenever their results might not fit 256 KiB, the run goes through S3 (see Large accounts)",
  },
  toleratedFailurePercentage: { kind: 'number', config: 'toleratedFailurePercentage', default: 100, min: 0, max: 100, whole: false, unit: 'percent', doc: "share of a Distributed Map's probe batches that may fail before the map itself fails (publish counts failed batches as probe errors either way)" },
  accessLogBuckets: { kind: 'shaped', config: 'accessLogBuckets', expected: 'a list of bucket entries (their keys below)', shownDefault: 'none', doc: 'buckets whose access logs are counted (its keys below; see Corroborate with the access logs)' },
  bucketName: { kind: 'text', config: 'accessLogBuckets[].bucketName', pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, expected: 'an S3 bucket name', required: true, doc: 'the bucket, in the stack\'s account and region' },
  prefix: { kind: 'text', config: 'accessLogBuckets[].prefix', pattern: /^(?!\/)(?!.*AWSLogs)[^\s]{1,512}$/, expected: "the prefix set in the load balancers' logging, without a leading slash or AWSLogs", shownDefault: 'none', doc: "the prefix set in the load balancers' logging (without `AWSLogs`)" },
  hangupsAlarmThreshold: { kind: 'number', config: 'hangupsAlarmThreshold', default: 5, min: 1, max: 1_000_000, whole: false, doc: 'hang-ups on one load balancer within 5 minutes that raise the Hangups alarm' },
  longTimeouts: {
    kind: 'shaped', config: 'longTimeouts', shownDefault: 'none', expected: '{ "natGateway": true } or { "vpcEndpoints": true }',
    doc: '`{ "natGateway": true }` or `{ "vpcEndpoints": true }`: probe load balancers whose idle timeouts do not fit a Lambda on ECS Fargate, saying how the tasks reach ECR, S3 and CloudWatch Logs; needs `schedule` `rate(90 minutes)` (see Long idle timeouts)',
  },
  loadBalancerIdleTimeoutS: { kind: 'number', flag: '--lb-idle-timeout', default: 60, min: 1, max: 4000, whole: false, unit: 'seconds', doc: "a load balancer's idle timeout: AWS's default when not set, at most 4,000 s (ALB; Classic ELB)" },
  horizonS: { kind: 'number', flag: '--horizon', min: 0.1, max: 4400, whole: false, unit: 'seconds', doc: 'how long sockets are held: the longest idle timeout plus 10 %' },
  maxOpenSockets: { kind: 'number', env: 'IDLE_CANARY_MAX_OPEN_SOCKETS', default: 900, min: 16, max: 1000, whole: true, doc: "sockets one probe invocation may hold: Lambda's 1,024 file descriptors minus headroom" },
  maxSocketsPerTarget: { kind: 'number', env: 'IDLE_CANARY_MAX_SOCKETS_PER_TARGET', flag: '--max-sockets', default: 20, min: 2, max: 900, whole: true, doc: 'sockets one target may use at once: two passive sockets, 16 staggered ones that bracket a sweep to a 33rd of the horizon whatever its phase, and the keep-alive phase\'s active and socket at another moment of a second (an HTTP/2 or gRPC target: 15 staggered ones, and a keep-alive socket aligned with the pre-request passive one)' },
  timeBudgetS: { kind: 'number', env: 'IDLE_CANARY_TIME_BUDGET_S', flag: '--time-budget', min: 1, max: 86_400, whole: false, unit: 'seconds', doc: 'seconds a probe may run; unfinished phases are inconclusive' },
  probeTimeoutS: { kind: 'number', env: 'IDLE_CANARY_PROBE_TIMEOUT_S', min: 1, max: 900, whole: false, unit: 'seconds', why: "a Lambda function's timeout", doc: "the probe function's timeout, which discover fits Lambda probes in" },
  claimStaleS: { kind: 'number', env: 'IDLE_CANARY_CLAIM_STALE_S', default: ACCESS_LOG_TIMEOUT_S + 60, min: 1, max: 86_400, whole: false, unit: 'seconds', doc: "seconds after which an access log object's unfinished claim is taken over" },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The settings that are numbers. */
export type NumberSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { kind: 'number' } ? K : never }[SettingName];

/** The number settings that have a default. */
type DefaultedName = { [K in NumberSettingName]: (typeof SETTINGS)[K] extends { default: number } ? K : never }[NumberSettingName];

/** The settings that are strings or lists of strings. */
export type TextSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { kind: 'text' } ? K : never }[SettingName];

/** The settings with a shape of their own: each has its parser in `lib/config.ts`. */
export type ShapedSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { kind: 'shaped' } ? K : never }[SettingName];

/** A number setting: its accepted range, for flags and environment variables alike. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

/** The keys of a stack entry in `cdk.json` (a VPC's and an access log bucket's apart): their settings bear their names. */
export type StackSettingName = { [K in SettingName]: (typeof SETTINGS)[K] extends { config: `${string}[]${string}` } ? never : (typeof SETTINGS)[K] extends { config: string } ? K : never }[SettingName];

/** A stack entry's number keys. */
export type StackNumberName = StackSettingName & NumberSettingName;

const names = Object.keys(SETTINGS) as SettingName[];
const numberNames = names.filter((name): name is NumberSettingName => SETTINGS[name].kind === 'number');

/** The keys of a stack entry in `cdk.json`, in the README's order. */
export const STACK_SETTINGS = names.filter((name): name is StackSettingName => (SETTINGS[name] as Setting).config === name);

/** The keys of a VPC entry in `cdk.json` (`vpcs[].X`), in the README's order. */
export const VPC_SETTINGS = names.filter((name) => (SETTINGS[name] as Setting).config === `vpcs[].${name}`);

/** The keys of an access log bucket entry in `cdk.json` (`accessLogBuckets[].X`). */
export const ACCESS_LOG_BUCKET_SETTINGS = names.filter((name) => (SETTINGS[name] as Setting).config === `accessLogBuckets[].${name}`);

/** A stack entry's number keys. */
export const STACK_NUMBER_SETTINGS = STACK_SETTINGS.filter((name): name is StackNumberName => SETTINGS[name].kind === 'number');
const row = (name: NumberSettingName): NumberSetting => SETTINGS[name];

/** The number settings' defaults (derived from `SETTINGS`). */
export const DEFAULTS = Object.fromEntries(numberNames.filter((n) => row(n).default !== undefined).map((n) => [n, row(n).default])) as { readonly [K in DefaultedName]: number };

/** The number settings' ranges (derived from `SETTINGS`). */
export const RANGES = Object.fromEntries(numberNames.map((n) => [n, { min: row(n).min, max: row(n).max }])) as { readonly [K in NumberSettingName]: NumberRange };

/**
 * What a number setting accepts, in the words of every front door's error.
 *
 * @example
 * acceptedNumber('marginS'); // 'a number of seconds from 0 to 600'
 */
export function acceptedNumber(name: NumberSettingName): string {
  const { whole, unit, min, max, why } = row(name);
  const what = unit === 'percent' ? 'a percentage' : `${whole ? 'a whole number' : 'a number'}${unit === undefined ? '' : ` of ${unit}`}`;
  return `${what} from ${min} to ${max}${why === undefined ? '' : ` (${why})`}`;
}

/**
 * A number setting written as text (a flag's value, a variable's): the number, or what the
 * setting accepts. Blank text is no number (`Number('')` would be 0).
 *
 * @example
 * numberFromText('marginS', '2'); // { value: 2 }
 * numberFromText('marginS', ' '); // { expected: 'a number of seconds from 0 to 600' }
 */
export function numberFromText(name: NumberSettingName, raw: string): { readonly value: number } | { readonly expected: string } {
  const value = raw.trim() === '' ? NaN : Number(raw);
  const expected = settingIssue(name, value);
  return expected === undefined ? { value } : { expected };
}

/**
 * What a setting accepts, when `value` is not that; `undefined` when it is. Lists are checked
 * item by item (`value` is one item).
 *
 * Why one check: the command line, the environment reader, the construct and `cdk.json` refuse
 * the same values in the same words.
 *
 * @example
 * settingIssue('maxConcurrency', 2.5); // 'a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once)'
 * settingIssue('tags', 'team=a,b'); // 'a tag key, or key=value, without commas'
 */
export function settingIssue(name: NumberSettingName | TextSettingName, value: unknown): string | undefined {
  const setting: Setting = SETTINGS[name];
  if (setting.kind === 'text') return typeof value === 'string' && setting.pattern.test(value) ? undefined : setting.expected;
  const { min, max, whole } = setting as NumberSetting;
  const fits = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!whole || Number.isInteger(value));
  return fits ? undefined : acceptedNumber(name as NumberSettingName);
}
