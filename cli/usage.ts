/**
 * What each command says to `--help`, and after a usage error.
 *
 * Why apart from the commands: `main` answers `--help` from here without loading a command's
 * module, so `scan --help` never pays for the AWS SDK nor `report --help` for the renderers.
 */

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
Result JSON, metrics and exit codes: docs/CONTRACTS.md.`;

/** Each command's usage, by name. */
export const COMMAND_USAGE: Readonly<Record<CommandName, string>> = {
  probe: `usage: idle-canary probe TARGET... [--lb-idle-timeout SECONDS] [--horizon SECONDS]
         [--phases preRequest,keepAlive] [--margin SECONDS] [--precision SECONDS]
         [--max-sockets N] [--time-budget SECONDS] [--host-header HOST] [--json] [--report FILE]
  TARGET is host:port, http://host:port/path or https://host:port/path`,
  scan: `usage: idle-canary scan [--region REGION] [--vpc VPC_ID,...] [--load-balancer NAME,...]
         [--tag KEY=VALUE,...] [--max-backends N] [--margin SECONDS] [--max-sockets N]
         [--time-budget SECONDS] [--publish [--namespace NAMESPACE] [--heartbeat] [--metrics lean|detailed]]
         [--json] [--report FILE]
  Uses the standard AWS credential chain; run it where the backends are reachable.
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
