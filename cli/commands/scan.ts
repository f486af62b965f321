/**
 * `idle-canary scan`: discover, probe, judge (and publish) in-process, from a bastion host
 * inside the VPC, with no deployment.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { renderScanReport } from '../../lambda/report/scan-terminal';
import { toScanJson, type ScanReport } from '../../lambda/report/scan';
import { createClients } from '../../lambda/discovery';
import { concludeRun, discoverRun } from '../../lambda/run/pipeline';
import { parseScanArgs } from '../args';
import { checkAwsAccess } from '../aws-access';
import { EXIT, withReport } from '../exit-code';
import { safeJson } from '../../lambda/shared/printable';
import type { CommandIo } from '../io';
import { checkReportPath, writeReportAfterRun } from '../report-file';
import { probeWithProgress } from './probe';

/** What `scan` says when it was not told who it is to the backends' security groups. */
export const NOT_DIAGNOSED =
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
  if (command.probeSource === undefined) io.stderr.write(`${NOT_DIAGNOSED}\n`);
  const { discovery, plan } = await discoverRun({
    region,
    clients: createClients(region, command.profile),
    vpcIds: command.vpcIds,
    names: command.names,
    tags: command.tags,
    maxBackendsPerPort: command.maxBackendsPerPort,
    ...(command.probeSource ? { probeSources: [command.probeSource] } : {}),
  });
  if (!command.json) io.stderr.write(`${discovery.loadBalancers.length} load balancer(s), ${plan.length} backend(s) to probe (${discovery.apiCalls} API calls)\n`);
  const results = await probeWithProgress(plan.map((item) => item.job), command.options, io, !command.json);
  const { report } = await concludeRun(discovery, plan, results, {
    startedAt,
    marginS: command.options.marginS,
    ...(command.publish ? { cloudWatch: new CloudWatchClient({ region, ...(command.profile !== undefined ? { profile: command.profile } : {}) }), namespace: command.namespace } : {}),
  });
  // The results first: a report that cannot be written must not take them along.
  io.stdout.write(command.json ? `${safeJson(toScanJson(report))}\n` : renderScanReport(report));
  const written = await writeReportAfterRun(command.report, report, io.stderr);
  return withReport(scanExitCode(report), written);
}

/** A failing load balancer first, then unpublished metrics and doubt. */
export function scanExitCode(report: ScanReport): number {
  if (report.verdict === 'fail') return EXIT.fail;
  if ((report.metrics?.failed.length ?? 0) > 0) return EXIT.badInput;
  if (report.verdict === 'inconclusive') return EXIT.inconclusive;
  return EXIT.pass;
}
