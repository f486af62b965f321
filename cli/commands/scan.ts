/**
 * `idle-canary scan`: discover, probe, judge (and publish) in-process, from a bastion host
 * inside the VPC, with no deployment.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { renderScanReport } from '../../lambda/report/scan-terminal';
import { toScanJson, type ScanReport } from '../../lambda/report/scan';
import { createClients, discoverySources } from '../../lambda/discovery';
import { concludeRun, discoverRun } from '../../lambda/run/pipeline';
import { parseScanArgs, type ScanCommand } from '../args';
import { checkAwsAccess } from '../aws-access';
import { EXIT, withReport } from '../exit-code';
import { printable, safeJson } from '../../lambda/shared/printable';
import { TAGS } from '../../lambda/discovery/select';
import type { Discovery } from '../../lambda/discovery/types';
import type { CommandIo } from '../io';
import { checkReportPath, writeReportAfterRun } from '../report-file';
import { probeWithProgress } from './probe';

/** What `scan` says when it was not told who it is to the backends' security groups. */
const NOT_DIAGNOSED =
  'reachability not diagnosed: pass --probe-security-group sg-... (this host\'s security group) or --probe-address to have each backend\'s security groups checked';

/**
 * Runs the scan command and returns its exit status (as `probe`: 0 pass, 1 a load balancer
 * fails, 2 bad input, 3 inconclusive).
 */
export async function scanCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const command = parseScanArgs(argv);
  await checkReportPath(command.report);
  const region = await checkAwsAccess(command.region, command.profile);
  const startedAt = new Date();
  const { discovery, plan } = await discoverRun({
    region,
    clients: createClients(region, command.profile),
    vpcIds: command.vpcIds,
    names: command.names,
    tags: command.tags,
    maxBackendsPerPort: command.maxBackendsPerPort,
    sources: discoverySources(command),
    ...(command.probeSource ? { probeSources: [command.probeSource] } : {}),
  });
  // Nothing selected is a typo or the wrong region, never a pass.
  if (discovery.loadBalancers.length === 0) throw new Error(emptySelectionMessage(discovery, command));
  if (command.probeSource === undefined) io.stderr.write(`${NOT_DIAGNOSED}\n`);
  if (!command.json) io.stderr.write(`${discovery.loadBalancers.length} load balancer(s), ${plan.length} backend(s) to probe (${discovery.apiCalls} API calls)\n`);
  const results = await probeWithProgress(plan.map((item) => item.job), command.options, io, !command.json);
  const { report } = await concludeRun(discovery, plan, results, {
    startedAt,
    marginS: command.options.marginS,
    ...(command.publish ? { cloudWatch: new CloudWatchClient({ region, ...(command.profile !== undefined ? { profile: command.profile } : {}) }), namespace: command.namespace, heartbeat: command.heartbeat, metrics: command.metrics } : {}),
  });
  // The results first: a report that cannot be written must not take them along.
  io.stdout.write(command.json ? `${safeJson(toScanJson(report))}\n` : renderScanReport(report));
  const written = await writeReportAfterRun(command.report, report, io.stderr);
  return withReport(scanExitCode(report), written);
}

/**
 * The one line of a scan that selected no load balancer: the region and types it looked at,
 * how many load balancers exist there, and the filters that left them all out.
 *
 * @example
 * emptySelectionMessage(discovery, { vpcIds: [], names: ['no-such-name'], tags: [] });
 * // 'no load balancer selected in eu-west-1 (Classic and Application Load Balancers): 2 exist (1 classic, 1 application), all left out by --load-balancer no-such-name or an idle-canary:skip tag; 0 of other types (not covered)'
 */
function emptySelectionMessage(discovery: Discovery, selection: Pick<ScanCommand, 'vpcIds' | 'names' | 'tags'>): string {
  // CloudFront origins left out are not load balancers: the sentence counts only these.
  const loadBalancers = discovery.excluded.filter((lb) => lb.type !== 'cloudfront');
  const count = (type: string) => loadBalancers.filter((lb) => lb.type === type).length;
  const filters = Object.entries({ '--vpc': selection.vpcIds, '--load-balancer': selection.names, '--tag': selection.tags })
    .filter(([, values]) => values.length > 0)
    .map(([flag, values]) => `${flag} ${printable(values.join(','), 200)}`);
  const found =
    loadBalancers.length === 0
      ? `none exist${filters.length > 0 ? ` (filters: ${filters.join(' ')})` : ''}`
      : `${loadBalancers.length} exist (${count('classic')} classic, ${count('application')} application), all left out by ${[...filters, `an ${TAGS.skip} tag`].join(' or ')}`;
  return `no load balancer selected in ${discovery.region} (Classic and Application Load Balancers): ${found}; ${discovery.notCovered.length} of other types (not covered)`;
}

/** A failing load balancer first, then unpublished metrics and doubt. */
export function scanExitCode(report: ScanReport): number {
  if (report.verdict === 'fail') return EXIT.fail;
  if ((report.metrics?.failed.length ?? 0) > 0) return EXIT.badInput;
  if (report.verdict === 'inconclusive') return EXIT.inconclusive;
  return EXIT.pass;
}
