/**
 * What every rendering of a run shares: the order load balancers are shown in, which backend
 * speaks for a load balancer, and how a phase's limit and headroom read.
 */
import { judgedProbe, toleratedS, type BackendVerdict, type LoadBalancerVerdict } from '../judge';
import { loadBalancerDimension } from '../metrics/names';
import type { PhaseName, Verdict } from '../probe';
import { adviseTarget, fmt } from './advice';
import type { Counts } from '../access-logs/tally';
import type { NotCovered } from '../discovery/types';
import type { ScanReport } from './scan';

const ORDER: Readonly<Record<Verdict, number>> = { fail: 0, inconclusive: 1, pass: 2 };

/** What a report row is known by. */
type Row = Pick<LoadBalancerVerdict, 'name' | 'type' | 'arn'>;

/** Failing first, then inconclusive, then passing; by name (then type) within each. */
export function byVerdict(loadBalancers: readonly LoadBalancerVerdict[]): LoadBalancerVerdict[] {
  return [...loadBalancers].sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
}

/**
 * What identifies a load balancer from one run to the next: its type and its name.
 *
 * Why not the name alone: a Classic ELB and an ALB may share a name in one region, and their
 * rows and changes would merge. Why not the ALB's ARN: reports written before it was kept must
 * still be compared with, and a load balancer recreated under its name is the same service.
 *
 * @example
 * loadBalancerKey({ type: 'classic', name: 'web' }); // 'classic/web'
 */
export function loadBalancerKey(lb: Pick<Row, 'name' | 'type'>): string {
  return `${lb.type}/${lb.name}`;
}

/**
 * A load balancer's name as a report shows it: with its type when another load balancer of the
 * run has the same name (`web (classic)`, `web (application)`), else the bare name.
 */
export function shownName(report: Pick<ScanReport, 'loadBalancers'>, lb: Pick<Row, 'name' | 'type'>): string {
  const namesake = report.loadBalancers.some((other) => other.name === lb.name && other.type !== lb.type);
  return namesake ? `${lb.name} (${lb.type})` : lb.name;
}

/** The backend whose advice a load balancer needs: a failing one, else one that could not be probed. */
export function worstBackend(lb: LoadBalancerVerdict): BackendVerdict | undefined {
  return lb.backends.find((b) => b.verdict === 'fail') ?? lb.backends.find((b) => b.probe.error !== undefined);
}

/**
 * The advice for one backend of a load balancer, against that load balancer's own timeout,
 * margin and verdicts (a shared backend was probed against the longest of them).
 */
export function backendAdvice(lb: LoadBalancerVerdict, backend: BackendVerdict): string {
  return adviseTarget(judgedProbe(lb, backend));
}

/**
 * The limit of a phase as people read it: `40.3 s`, `≥ 66.0 s` when nothing failed up to the
 * horizon, `-` when nothing was measured.
 */
export function limitText(lb: LoadBalancerVerdict, phase: PhaseName): string {
  const p = lb.phases[phase];
  const boundS = p === undefined ? null : toleratedS(p);
  return boundS === null ? '-' : `${p!.limitS === null ? '≥ ' : ''}${fmt(boundS)} s`;
}

/**
 * A headroom as people read it: `+6 s`, `-19.7 s`; `null` when there is none.
 *
 * @example
 * headroomText(phaseHeadroomS(lb.phases.preRequest!, lb.idleTimeoutS)); // '-19.7 s'
 */
export function headroomText(headroomS: number | null, format: (seconds: number) => string = fmt): string | null {
  return headroomS === null ? null : `${headroomS > 0 ? '+' : ''}${format(headroomS)} s`;
}

/** The hang-ups column's heading; `null` when the report has no access logs. */
export function hangupsHeading(report: ScanReport): string | null {
  return report.accessLogs === undefined ? null : `hang-ups (last ${report.accessLogs.windowMinutes} min)`;
}

/** Why the report shows no hang-ups although access logs are read; `null` when they were. */
export function accessLogsError(report: ScanReport): string | null {
  return report.accessLogs?.error === undefined ? null : `Access logs could not be read: ${report.accessLogs.error}`;
}

/**
 * A table cell: `37 of 12,345`, `-` when this load balancer logged nothing, `not read` when
 * the access logs could not be read; `null` when the report has no access logs at all.
 */
export function hangupsText(report: ScanReport, lb: Row): string | null {
  if (report.accessLogs === undefined) return null;
  if (report.accessLogs.error !== undefined) return 'not read';
  const counts = loggedHangups(report, lb);
  return counts === null ? '-' : hangupsOfRequests(counts);
}

/** `access logs, last 60 min: 37 of 12,345 requests hung up`; `null` when this load balancer logged nothing. */
export function hangupsPhrase(report: ScanReport, lb: Row): string | null {
  const counts = loggedHangups(report, lb);
  return counts === null ? null : `access logs, last ${report.accessLogs!.windowMinutes} min: ${hangupsOfRequests(counts)} requests hung up`;
}

/** The sentence that puts a load balancer's hang-ups next to its verdict; `null` without any. */
export function hangupsSentence(report: ScanReport, lb: Row): string | null {
  const counts = loggedHangups(report, lb);
  if (counts === null || counts.hangups === 0) return null;
  return `Access logs: ${hangupsOfRequests(counts)} requests in the last ${report.accessLogs!.windowMinutes} minutes died because the backend had already closed the connection.`;
}

/** A load balancer's counts from its access logs (by its metrics' dimension); `null` when none were read or it logged nothing. */
function loggedHangups(report: ScanReport, lb: Row): Counts | null {
  if (report.accessLogs === undefined || report.accessLogs.error !== undefined) return null;
  return report.accessLogs.byLoadBalancer[loadBalancerDimension(lb)] ?? null;
}

/** `37 of 12,345`: hang-ups among the requests logged; `37` when requests were not counted (the lean metric set publishes no `RequestsLogged`). */
function hangupsOfRequests(counts: Counts): string {
  const hangups = counts.hangups.toLocaleString('en-US');
  return counts.requests === 0 ? hangups : `${hangups} of ${counts.requests.toLocaleString('en-US')}`;
}

/**
 * A CloudFront origin in words: its distribution, origin and keep-alive, and for an origin on a
 * load balancer the chain down to the backends and which hop is short; `null` for any other front.
 *
 * @example
 * cloudFrontText(lb); // "CloudFront E123ABC origin api (load-balancer, keep-alive 90 s): CloudFront keep-alive 90 s → load balancer api idle timeout 60 s → ... short at CloudFront → api ..."
 */
export function cloudFrontText(lb: Pick<LoadBalancerVerdict, 'cloudFront' | 'chain'>): string | null {
  if (lb.cloudFront === undefined) return null;
  const { distributionId, originId, kind, keepAliveS } = lb.cloudFront;
  const origin = `CloudFront ${distributionId} origin ${originId} (${kind}, keep-alive ${keepAliveS} s)`;
  return lb.chain ? `${origin}: ${lb.chain.summary}` : `${origin}: its backend is judged against the keep-alive`;
}

/**
 * Why a front was not probed, with the command that probes it by hand when there is one.
 *
 * @example
 * notProbedText({ name: 'cloudfront/E1/site', type: 'cloudfront', reason: 'public origin ...: not probed', command: 'idle-canary probe https://origin.example.com:443/ --lb-idle-timeout 5' });
 * // 'public origin ...: not probed: idle-canary probe https://origin.example.com:443/ --lb-idle-timeout 5'
 */
export function notProbedText(entry: Pick<NotCovered, 'reason' | 'command'>): string {
  return entry.command === undefined ? entry.reason : `${entry.reason}: ${entry.command}`;
}
