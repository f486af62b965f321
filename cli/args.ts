/**
 * Command-line arguments of `idle-canary probe` (and the options it shares with `demo`).
 */
import { UsageError } from './usage-error';
import { isIPv4 } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ProbeSource } from '../lambda/discovery/reachability';
import { PHASE_NAMES, defaultHorizonS, type PhaseName, type ProbeJob, type ProbeOptions } from '../lambda/probe';
import { TARGET_FORMS, parseTargetSpec } from './target-spec';
import { REQUEST_FIELDS, isValidRequestField, type RequestField } from '../lambda/probe/request';
import { printable } from '../lambda/shared/printable';
import { DEFAULTS, PATTERNS, SETTINGS, numberFromText, settingIssue, type NumberSettingName } from '../lambda/shared/settings';
import { metricSetIssue, type MetricSet } from '../lambda/metrics/names';

/** What `probe` runs: jobs, engine options, output mode. */
export interface ProbeCommand {
  /** Where to write a report (.html, .md or .json). */
  readonly report?: string;
  readonly jobs: ProbeJob[];
  readonly options: ProbeOptions;
  readonly json: boolean;
}

/** Flags `probe` and `scan` share: the judging margin, the socket and time budgets, the outputs. */
const SHARED_FLAGS = {
  margin: { type: 'string' },
  'max-sockets': { type: 'string' },
  'time-budget': { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `probe`'s flags: the load balancer it stands in for, the phases, the request. */
export const PROBE_FLAGS = {
  ...SHARED_FLAGS,
  'lb-idle-timeout': { type: 'string' },
  horizon: { type: 'string' },
  phases: { type: 'string' },
  precision: { type: 'string' },
  'host-header': { type: 'string' },
} as const;

/** `scan`'s flags: where to discover, what to select, where to publish. */
export const SCAN_FLAGS = {
  ...SHARED_FLAGS,
  region: { type: 'string' },
  profile: { type: 'string' },
  'probe-security-group': { type: 'string', multiple: true },
  'probe-address': { type: 'string', multiple: true },
  vpc: { type: 'string', multiple: true },
  'load-balancer': { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  publish: { type: 'boolean' },
  namespace: { type: 'string' },
  heartbeat: { type: 'boolean' },
  metrics: { type: 'string' },
  'max-backends': { type: 'string' },
  cloudfront: { type: 'boolean' },
  'probe-public-origins': { type: 'boolean' },
} as const;

/**
 * Parses `probe`'s arguments.
 *
 * @throws Error with a one-line message naming the flag, the bad value and what is accepted
 * @example
 * parseProbeArgs(['10.0.3.17:30080', '--lb-idle-timeout', '60', '--json']);
 */
export function parseProbeArgs(argv: readonly string[]): ProbeCommand {
  const { values, positionals } = strictParse(argv, PROBE_FLAGS);
  if (positionals.length === 0) throw new UsageError(`no target given: expected one or more of ${TARGET_FORMS}`);

  const loadBalancerIdleTimeoutS = flagNumber('loadBalancerIdleTimeoutS', values['lb-idle-timeout']) ?? DEFAULTS.loadBalancerIdleTimeoutS;
  const horizonS = flagNumber('horizonS', values.horizon);
  const hostHeader = requestField('--host-header', 'hostHeader', values['host-header']);
  const jobs = positionals.map((spec) => ({
    target: { ...parseTargetSpec(spec), ...(hostHeader !== undefined ? { hostHeader } : {}) },
    loadBalancerIdleTimeoutS,
    horizonS: horizonS ?? defaultHorizonS(loadBalancerIdleTimeoutS),
  }));
  const shared = sharedOptions(values);
  return {
    jobs,
    options: { ...shared.options, phases: phases(values.phases), precisionS: flagNumber('precisionS', values.precision) },
    json: shared.json,
    report: shared.report,
  };
}

/** What `scan` runs. */
export interface ScanCommand {
  /** Where to write a report (.html, .md or .json). */
  readonly report?: string;
  readonly region?: string;
  /** A named profile of the AWS config files. */
  readonly profile?: string;
  /** Who this host is to the backends' security groups; without it reachability is not diagnosed. */
  readonly probeSource?: ProbeSource;
  readonly vpcIds: string[];
  readonly names: string[];
  readonly tags: string[];
  readonly publish: boolean;
  readonly namespace?: string;
  /** Publish the `RunCompleted` heartbeat too (off by default: it is the deployed schedule's). */
  readonly heartbeat: boolean;
  /** The metric set `--publish` puts; the default set when not given. */
  readonly metrics?: MetricSet;
  readonly maxBackendsPerPort?: number;
  /** Also read CloudFront's distributions (`--cloudfront`). */
  readonly cloudFront: boolean;
  /** With `cloudFront`, also probe public custom origins (`--probe-public-origins`). */
  readonly probePublicOrigins: boolean;
  readonly options: ProbeOptions;
  readonly json: boolean;
}

/**
 * Parses `scan`'s arguments; `--vpc`, `--load-balancer` and `--tag` repeat or take commas.
 *
 * @throws Error with a one-line message naming the flag, the bad value and what is accepted
 * @example
 * parseScanArgs(['--region', 'eu-west-1', '--vpc', 'vpc-0a1,vpc-0b2', '--json']);
 */
export function parseScanArgs(argv: readonly string[]): ScanCommand {
  const { values, positionals } = strictParse(argv, SCAN_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}": scan takes only flags`);
  const list = (raw: string[] | undefined) => (raw ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  const vpcIds = list(values.vpc);
  const badVpc = vpcIds.find((id) => !PATTERNS.vpcId.pattern.test(id));
  if (badVpc !== undefined) throw new UsageError(`--vpc "${printable(badVpc, 80)}": expected ${PATTERNS.vpcId.expected}`);
  const namespace = values.namespace;
  if (values.heartbeat === true && values.publish !== true) throw new UsageError('--heartbeat without --publish: the heartbeat is a metric, expected --publish --heartbeat');
  if (values['probe-public-origins'] === true && values.cloudfront !== true) throw new UsageError('--probe-public-origins without --cloudfront: public origins are CloudFront\'s, expected --cloudfront --probe-public-origins');
  const namespaceExpected = namespace === undefined ? undefined : settingIssue('namespace', namespace);
  if (namespaceExpected !== undefined) throw new UsageError(`--namespace "${printable(namespace!, 80)}": expected ${namespaceExpected}`);
  const metrics = values.metrics;
  const metricsExpected = metrics === undefined ? undefined : metricSetIssue(metrics);
  if (metrics !== undefined && metricsExpected !== undefined) throw new UsageError(`--metrics "${printable(metrics, 60)}": expected ${metricsExpected}`);
  const profile = values.profile;
  if (profile !== undefined && !/^[\w.+@=,/-]{1,128}$/.test(profile)) throw new UsageError(`--profile "${printable(profile, 80)}": expected a profile name of the AWS config files (letters, digits and _ . + @ = , / -)`);
  const probeGroups = list(values['probe-security-group']);
  const badGroup = probeGroups.find((id) => !PATTERNS.securityGroupId.pattern.test(id));
  if (badGroup !== undefined) throw new UsageError(`--probe-security-group "${printable(badGroup, 80)}": expected ${PATTERNS.securityGroupId.expected}`);
  const probeAddresses = list(values['probe-address']);
  const badAddress = probeAddresses.find((cidr) => !isIPv4Range(cidr));
  if (badAddress !== undefined) throw new UsageError(`--probe-address "${printable(badAddress, 80)}": expected an IPv4 address or range such as 10.0.3.17 or 10.0.3.0/24`);
  const shared = sharedOptions(values);
  return {
    region: values.region,
    ...(profile !== undefined ? { profile } : {}),
    ...(probeGroups.length + probeAddresses.length > 0 ? { probeSource: { securityGroupIds: probeGroups, cidrs: probeAddresses } } : {}),
    vpcIds,
    names: list(values['load-balancer']),
    tags: list(values.tag),
    publish: values.publish === true,
    namespace,
    heartbeat: values.heartbeat === true,
    ...(metrics === undefined ? {} : { metrics: metrics as MetricSet }),
    maxBackendsPerPort: flagNumber('maxBackendsPerPort', values['max-backends']),
    cloudFront: values.cloudfront === true,
    probePublicOrigins: values['probe-public-origins'] === true,
    ...shared,
  };
}

/** An IPv4 address, or one with a prefix length from 0 to 32. */
function isIPv4Range(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  return rest.length === 0 && isIPv4(address) && (bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32));
}

/** What `strictParse` returns, named so that declarations can say it. */
type StrictParsed<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/** `parseArgs` with positionals, strict, its errors cut to one line: what every command uses. */
export function strictParse<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T): StrictParsed<T> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
}

/** The values of `SHARED_FLAGS`, checked: engine options and outputs both commands take. */
function sharedOptions(values: StrictParsed<typeof SHARED_FLAGS>['values']) {
  const timeBudgetS = flagNumber('timeBudgetS', values['time-budget']);
  return {
    options: {
      marginS: flagNumber('marginS', values.margin),
      maxSocketsPerTarget: flagNumber('maxSocketsPerTarget', values['max-sockets']),
      timeBudgetMs: timeBudgetS === undefined ? undefined : timeBudgetS * 1000,
    },
    json: values.json === true,
    report: values.report,
  } satisfies Pick<ScanCommand, 'options' | 'json' | 'report'>;
}

/** A flag whose value goes into the request: visible ASCII only, never a CR or LF. */
function requestField(flag: string, field: RequestField, raw: string | undefined): string | undefined {
  if (raw !== undefined && !isValidRequestField(field, raw)) throw new UsageError(`${flag} "${printable(raw, 80)}": expected ${REQUEST_FIELDS[field].expected}`);
  return raw;
}

/** The number settings that have a flag. */
type FlagNumberName = { [K in NumberSettingName]: (typeof SETTINGS)[K] extends { flag: string } ? K : never }[NumberSettingName];

/** A number flag's value, checked by its setting's row (`SETTINGS`); `undefined` when not given. */
function flagNumber(name: FlagNumberName, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const parsed = numberFromText(name, raw);
  if ('expected' in parsed) throw new UsageError(`${SETTINGS[name].flag} "${printable(raw, 80)}": expected ${parsed.expected}`);
  return parsed.value;
}

function phases(raw: string | undefined): PhaseName[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(PHASE_NAMES as readonly string[]).includes(name));
  if (unknown !== undefined || names.length === 0) {
    throw new UsageError(`--phases "${raw}": expected a comma-separated list of ${PHASE_NAMES.join(', ')}`);
  }
  return [...new Set(names as PhaseName[])];
}
