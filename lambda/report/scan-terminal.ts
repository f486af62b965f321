/**
 * A run report for the terminal: one block per load balancer, worst first.
 */
import { phaseHeadroomS, type LoadBalancerVerdict } from '../judge';
import { unreachableBackends } from '../judge/unreachable';
import type { PhaseName, Verdict } from '../probe';
import { printable } from '../shared/printable';
import { fmt } from './advice';
import type { ScanReport } from './scan';
import { wrap } from './terminal';
import { backendAdvice, byVerdict, cloudFrontText, hangupsPhrase, headroomText, notProbedText, worstBackend } from './view';

/**
 * Renders a scan: a summary line, then each load balancer with its phases, backends, what was
 * skipped and, for failures, the advice for its worst backend.
 *
 * @example
 * process.stdout.write(renderScanReport(report));
 */
export function renderScanReport(report: ScanReport): string {
  const lbs = byVerdict(report.loadBalancers);
  const count = (verdict: Verdict) => lbs.filter((lb) => lb.verdict === verdict).length;
  const probed = lbs.reduce((sum, lb) => sum + lb.backends.length, 0);
  const lines = [
    `idle-canary scan ${report.region}: ${lbs.length} load balancer(s), ${probed} backend(s) probed: ${count('fail')} failing, ${count('inconclusive')} inconclusive, ${count('pass')} passing (${report.apiCalls} API calls)`,
  ];
  if (lbs.length === 0) lines.push('No load balancer matched the selection.');
  if (report.accessLogs?.error !== undefined) lines.push(`access logs could not be read: ${report.accessLogs.error}`);
  for (const lb of lbs) lines.push('', ...loadBalancerBlock(lb, report));
  const others = [...report.notCovered.map((n) => ({ ...n, kind: 'not covered' })), ...report.excluded.map((n) => ({ ...n, kind: 'excluded' }))];
  if (others.length > 0) lines.push('', ...others.map((n) => `${n.kind}: ${n.name} (${n.type}): ${notProbedText(n)}`));
  if (report.metrics) {
    const failed = report.metrics.failed.reduce((sum, f) => sum + f.datums, 0);
    lines.push('', `metrics: ${report.metrics.published} datum(s) published to ${report.metrics.namespace}${failed > 0 ? `, ${failed} NOT published: ${report.metrics.failed.map((f) => f.error).join('; ')}` : ''}`);
  }
  // Names, reasons and advice may hold a backend's or a saved file's bytes.
  return `${lines.map((line) => printable(line)).join('\n')}\n`;
}

function loadBalancerBlock(lb: LoadBalancerVerdict, report: ScanReport): string[] {
  const idle = lb.idleTimeoutS === null ? 'idle timeout unknown' : `idle timeout ${lb.idleTimeoutS} s`;
  const lines = [`${lb.name} (${lb.type}, ${lb.vpcId}, ${idle})  ${lb.verdict.toUpperCase()}`];
  if (lb.error) lines.push(`  error: ${lb.error}`);
  const cloudFront = cloudFrontText(lb);
  if (cloudFront !== null) lines.push(...wrap(cloudFront, 80, '  '));
  for (const [phase, verdict] of Object.entries(lb.phases) as Array<[PhaseName, LoadBalancerVerdict['phases'][PhaseName] & object]>) {
    const limit = verdict.limitS === null ? 'no limit found' : `limit ${fmt(verdict.limitS)} s`;
    const headroom = headroomText(phaseHeadroomS(verdict, lb.idleTimeoutS));
    const failing = verdict.failingBackends.length > 0 ? `, failing: ${verdict.failingBackends.join(', ')}` : '';
    lines.push(`  ${phase.padEnd(10)}  ${verdict.verdict.toUpperCase().padEnd(12)}  ${limit}${headroom === null ? '' : `, headroom ${headroom}`}${failing}`);
  }
  const backends = lb.backends.map((b) => `${b.id} (${b.probe.target.host}) ${b.verdict}`);
  if (backends.length > 0) lines.push(`  backends: ${backends.join(', ')}${lb.backendsNotSampled > 0 ? `; ${lb.backendsNotSampled} more not sampled this run` : ''}`);
  for (const skipped of lb.skipped) lines.push(`  skipped ${skipped.what}: ${skipped.reason}`);
  const hangups = hangupsPhrase(report, lb);
  if (hangups !== null) lines.push(`  ${hangups} by the backend`);
  const worst = worstBackend(lb);
  if (worst) lines.push(...wrap(backendAdvice(lb, worst), 80, '  '));
  // Every backend the probe did not reach, with its rule to add (the advice names only the worst).
  for (const { backend, reason } of unreachableBackends([lb])) if (backend !== worst?.id) lines.push(...wrap(`${backend}: ${reason}`, 80, '  '));
  return lines;
}
