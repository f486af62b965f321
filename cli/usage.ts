/**
 * What each command says to `--help`, and after a usage error: its synopsis and one table of
 * its flags, each with its meaning and default.
 *
 * Why apart from the commands: `main` answers `--help` from here without loading a command's
 * module, so `scan --help` never pays for the AWS SDK nor `report --help` for the renderers.
 * Why one table: the parser's flags are checked against it (a test), so no flag goes unexplained.
 */
import { DEFAULT_METRIC_SET, DEFAULT_NAMESPACE } from '../lambda/metrics/names';
import { DEFAULTS, SETTINGS } from '../lambda/shared/settings';
import { TARGET_FORMS } from './target-spec';

/** The command names, in the order `idle-canary --help` lists them. */
export const COMMAND_NAMES = ['probe', 'scan', 'report', 'logs', 'demo'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const USAGE = `usage: idle-canary <command> [options]
commands:
  probe TARGET...   measure how long backends tolerate idle connections
  scan              discover a region's load balancers, probe their backends, judge each one
  report RUN.json    render a saved run: terminal, --markdown or --html FILE
  logs FILE...      count backend hang-ups in downloaded load balancer access logs
  demo              probe four local demo backends (about 15 s)
Run 'idle-canary <command> --help' for its flags, 'idle-canary --version' for the version.
Colours: on a terminal only; NO_COLOR=1 turns them off, FORCE_COLOR=1 turns them on.
Result JSON, metrics and exit codes: docs/CONTRACTS.md.`;

/** One flag: how it is written, its default (empty when it has none) and what it does. */
export interface FlagHelp {
  readonly flag: string;
  readonly default: string;
  readonly meaning: string;
}

const SHARED: Readonly<Record<'margin' | 'maxSockets' | 'timeBudget' | 'json' | 'report', FlagHelp>> = {
  margin: { flag: '--margin SECONDS', default: String(DEFAULTS.marginS), meaning: 'headroom below which a phase fails' },
  maxSockets: { flag: '--max-sockets N', default: String(DEFAULTS.maxSocketsPerTarget), meaning: 'sockets of one target open at once (a target may open more in all)' },
  timeBudget: { flag: '--time-budget SECONDS', default: 'none', meaning: 'stop then; unfinished phases are inconclusive' },
  json: { flag: '--json', default: '', meaning: 'print only the result JSON (docs/CONTRACTS.md)' },
  report: { flag: '--report FILE', default: '', meaning: 'also write a report: .html, .md or .json' },
};

/** Each command's flags, in the order its help lists them. */
export const COMMAND_FLAGS: Readonly<Record<CommandName, readonly FlagHelp[]>> = {
  probe: [
    { flag: '--lb-idle-timeout SECONDS', default: String(DEFAULTS.loadBalancerIdleTimeoutS), meaning: "the load balancer's idle timeout to judge against" },
    { flag: '--horizon SECONDS', default: 'timeout + 10 % (at least + 1 s)', meaning: 'how long sockets are held' },
    { flag: '--phases LIST', default: 'preRequest,keepAlive', meaning: 'which idle situations to measure' },
    SHARED.margin,
    { flag: '--precision SECONDS', default: String(DEFAULTS.precisionS), meaning: "narrow a lazy limit's bracket down to this" },
    SHARED.maxSockets,
    SHARED.timeBudget,
    { flag: '--host-header HOST', default: "the target's host", meaning: 'Host header of the requests (visible ASCII only)' },
    SHARED.json,
    SHARED.report,
  ],
  scan: [
    { flag: '--region REGION', default: 'AWS_REGION, else the profile', meaning: 'the region to scan' },
    { flag: '--profile NAME', default: 'AWS_PROFILE, else the default chain', meaning: 'a profile of your AWS config files' },
    { flag: '--vpc VPC_ID,...', default: 'all', meaning: 'only these VPCs' },
    { flag: '--load-balancer NAME,...', default: 'all', meaning: 'only these names (* matches anything)' },
    { flag: '--tag KEY[=VALUE],...', default: 'none', meaning: 'only load balancers carrying these tags' },
    { flag: '--max-backends N', default: String(DEFAULTS.maxBackendsPerPort), meaning: 'backends probed per load balancer and port' },
    { flag: '--probe-security-group SG,...', default: 'none', meaning: "this host's security groups: backends whose groups keep it out are reported with the rule to add" },
    { flag: '--probe-address IP[/BITS],...', default: 'none', meaning: "this host's address, for the backends' address-range rules" },
    { flag: SETTINGS.cloudFront.flag, default: String(SETTINGS.cloudFront.default), meaning: "also check CloudFront's origins: keep-alive against a load balancer origin's idle timeout, VPC origins on instances probed" },
    { flag: SETTINGS.probePublicOrigins.flag, default: String(SETTINGS.probePublicOrigins.default), meaning: 'with --cloudfront, also probe public custom origins (traffic to your endpoints); else each is listed with its probe command' },
    SHARED.margin,
    SHARED.maxSockets,
    SHARED.timeBudget,
    { flag: '--publish', default: '', meaning: 'also put the CloudWatch metrics' },
    { flag: '--namespace NAMESPACE', default: DEFAULT_NAMESPACE, meaning: 'the metrics namespace, with --publish' },
    { flag: '--metrics SET', default: DEFAULT_METRIC_SET, meaning: 'the metric set, with --publish: lean or detailed (docs/CONTRACTS.md)' },
    { flag: '--heartbeat', default: '', meaning: "with --publish, also put RunCompleted, the deployed stack's heartbeat" },
    { ...SHARED.json, meaning: 'print only the run JSON (docs/CONTRACTS.md)' },
    SHARED.report,
  ],
  report: [
    { flag: '--markdown', default: '', meaning: 'print Markdown instead of the terminal text' },
    { flag: '--html FILE', default: '', meaning: 'write the HTML report to FILE' },
  ],
  logs: [{ flag: '--json', default: '', meaning: 'print the counts as JSON, with every minute that had hang-ups' }],
  demo: [],
};

/** The synopsis and notes of each command, before its flags. */
const SYNOPSIS: Readonly<Record<CommandName, string>> = {
  probe: `usage: idle-canary probe TARGET... [flags]
  TARGET is ${TARGET_FORMS}
  (HTTP/2 and gRPC targets are probed over HTTP/2, as an ALB target group of protocol version HTTP2 or GRPC;
  gRPC with a grpc.health.v1.Health/Check call, or the method the path names)`,
  scan: `usage: idle-canary scan [flags]
  Uses the standard AWS credential chain; run it where the backends are reachable.
  The IAM permissions it needs: README.md, "Check a whole region from a bastion host".
  --publish sends no RunCompleted heartbeat unless --heartbeat is given: the heartbeat is the
  deployed schedule's, and a scan from a laptop must not keep its alarm quiet.`,
  report: `usage: idle-canary report RUN.json [--markdown | --html FILE]
  RUN.json is the output of 'scan --json', 'probe --json' or a run report from the bucket`,
  logs: `usage: idle-canary logs FILE|DIRECTORY... [--json]
  Classic ELB (.log) and ALB (.log.gz) access log files, as downloaded from the bucket
  (e.g. aws s3 sync s3://BUCKET/PREFIX/AWSLogs/ACCOUNT/elasticloadbalancing/REGION/2026/11/25/ logs/).
  Directories are read recursively. Exit status: 0 no hang-up, 1 hang-ups found, 2 bad input
  or a file that could not be read.`,
  demo: `usage: idle-canary demo
  Starts four Node.js backends on 127.0.0.1 and probes them against a 6 s load balancer.`,
};

/** The flags as aligned lines: flag, meaning, default. */
function flagLines(flags: readonly FlagHelp[]): string {
  if (flags.length === 0) return '';
  const width = Math.max(...flags.map((f) => f.flag.length));
  return `\nflags:\n${flags.map((f) => `  ${f.flag.padEnd(width)}  ${f.meaning}${f.default ? ` (default: ${f.default})` : ''}`).join('\n')}`;
}

/** Each command's usage, by name. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, `${SYNOPSIS[name]}${flagLines(COMMAND_FLAGS[name])}`]),
) as Record<CommandName, string>;
