/**
 * The result of a whole run (discover, probe, judge, publish) as one JSON document: what
 * `idle-canary scan --json` prints, what the bucket keeps and what the reports are made from.
 */
import type { RecentHangups } from '../access-logs/recent';
import type { Discovery, NotCovered } from '../discovery/types';
import { phaseHeadroomS, toleratedS, type LoadBalancerVerdict, type PhaseVerdict } from '../judge';
import type { PublishReport } from '../metrics';
import { worstVerdict, type PhaseName, type Verdict } from '../probe';

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

/** A phase as the JSON documents carry it: the verdict's fields, what it tolerates and its headroom (docs/CONTRACTS.md). */
export interface PhaseJson extends PhaseVerdict {
  /** `limitS`, else `survivedS`: the value the `Backend*Timeout` metrics publish; `null` when nothing was measured. */
  readonly toleratedS: number | null;
  /**
   * `toleratedS` minus the load balancer's idle timeout; `null` when nothing was measured.
   * @deprecated a probe phase's `headroomS` counts the horizon, not what was survived: read `toleratedS` and `idleTimeoutS`.
   */
  readonly headroomS: number | null;
}

/** A load balancer as the JSON documents carry it. */
export type LoadBalancerJson = Omit<LoadBalancerVerdict, 'phases'> & { readonly phases: Partial<Record<PhaseName, PhaseJson>> };

/** The run report as `scan --json` prints it and the bucket keeps it. */
export type ScanReportJson = Omit<ScanReport, 'loadBalancers'> & { readonly loadBalancers: readonly LoadBalancerJson[] };

/**
 * The run report as a JSON document: each phase with its headroom against its load
 * balancer's idle timeout, as the contract has it.
 *
 * Why at this boundary: verdicts keep what was measured; the documents other tools read keep
 * `headroomS`, computed here once for `scan --json`, `--report FILE.json` and the bucket.
 *
 * @example
 * process.stdout.write(safeJson(toScanJson(report)));
 */
export function toScanJson(report: ScanReport): ScanReportJson {
  return {
    ...report,
    loadBalancers: report.loadBalancers.map((lb) => ({
      ...lb,
      phases: Object.fromEntries(
        Object.entries(lb.phases).map(([phase, p]) => [
          phase,
          { limitS: p.limitS, survivedS: p.survivedS, toleratedS: toleratedS(p), headroomS: phaseHeadroomS(p, lb.idleTimeoutS), verdict: p.verdict, failingBackends: p.failingBackends },
        ]),
      ),
    })),
  };
}
