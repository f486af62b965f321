/**
 * The result of a whole run (discover, probe, judge, publish) as one JSON document: what
 * `idle-canary scan --json` prints and what the reports are made from.
 */
import type { RecentHangups } from '../access-logs/recent';
import type { Discovery, NotCovered } from '../discovery/types';
import type { LoadBalancerVerdict } from '../judge';
import type { PublishReport } from '../metrics';
import { worstVerdict, type Verdict } from '../probe';

export interface ScanReport {
  readonly region: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The worst load balancer verdict (`pass` when there is none). */
  readonly verdict: Verdict;
  readonly loadBalancers: readonly LoadBalancerVerdict[];
  /** Load balancer kinds idle-canary does not cover (NLB, GWLB), with the reason. */
  readonly notCovered: readonly NotCovered[];
  /** Load balancers left out by selection or by their opt-out tag. */
  readonly excluded: readonly NotCovered[];
  /** AWS API calls of discovery. */
  readonly apiCalls: number;
  /** Set when metrics were published. */
  readonly metrics?: PublishReport;
  /** Requests and backend hang-ups in the access logs, per load balancer, when they are read. */
  readonly accessLogs?: RecentHangups;
}

/**
 * Assembles the run report.
 *
 * @example
 * const report = toScanReport(discovery, verdicts, startedAt, new Date());
 */
export function toScanReport(discovery: Discovery, verdicts: readonly LoadBalancerVerdict[], startedAt: Date, finishedAt: Date, metrics?: PublishReport, accessLogs?: RecentHangups): ScanReport {
  return {
    region: discovery.region,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    verdict: verdicts.length === 0 ? 'pass' : worstVerdict(verdicts.map((lb) => lb.verdict)),
    loadBalancers: verdicts,
    notCovered: discovery.notCovered,
    excluded: discovery.excluded,
    apiCalls: discovery.apiCalls,
    ...(metrics ? { metrics } : {}),
    ...(accessLogs ? { accessLogs } : {}),
  };
}
