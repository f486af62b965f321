/**
 * Any saved run as a run report: `scan --json`, `probe --json` (one result or several), or the
 * bucket's `runs/*.json`.
 */
import { OUTSIDE_ANY_VPC } from '../discovery/types';
import { defaults as judgeDefaults, type LoadBalancerVerdict, type PhaseVerdict } from '../judge';
import { worstVerdict, type PhaseName, type ProbeResult } from '../probe';
import { probeBoundS } from '../probe/headroom';
import { withProtocol } from '../probe/protocol-version';
import { roundS } from '../probe/plan';
import type { PhaseJson, ScanReport, ScanReportJson } from './scan';

/**
 * Reads a saved run; probe results become one section per target, judged as probed.
 *
 * @throws Error saying what was expected when the JSON is neither
 * @example
 * asScanReport(JSON.parse(readFileSync('run.json', 'utf8')));
 */
export function asScanReport(json: unknown): ScanReport {
  if (isScanReport(json)) return fromScanJson(json);
  const results = Array.isArray(json) ? json : [json];
  if (results.length === 0 || !results.every(isProbeResult)) {
    throw new Error('expected the JSON of `idle-canary scan --json`, `idle-canary probe --json` or a run report from the bucket');
  }
  const loadBalancers = results.map(fromProbe);
  const started = Math.min(...results.map((r) => Date.parse(r.startedAt)));
  const finished = Math.max(...results.map((r) => Date.parse(r.startedAt) + r.elapsedS * 1000));
  return {
    region: 'local',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    verdict: worstVerdict(loadBalancers.map((lb) => lb.verdict)),
    loadBalancers,
    notCovered: [],
    excluded: [],
    apiCalls: 0,
  };
}

/** A phase as any version wrote it: 0.1.0 wrote no `survivedS`, 0.2.0 and earlier no `toleratedS`. */
type SavedPhase = Omit<PhaseJson, 'survivedS' | 'headroomS' | 'toleratedS'> & { readonly survivedS?: number | null; readonly headroomS?: number | null; readonly toleratedS?: number | null };

/** A scan report as any version wrote it. */
export type SavedScanReport = Omit<ScanReportJson, 'loadBalancers'> & {
  readonly loadBalancers: ReadonlyArray<Omit<LoadBalancerVerdict, 'phases'> & { readonly phases: Partial<Record<PhaseName, SavedPhase>> }>;
};

/**
 * A saved scan report (`scan --json`, `--report FILE.json`, the bucket's `runs/*.json`) as a
 * run report: each phase as measured, its `headroomS` left to be computed again.
 *
 * Why: the next run compares with the bucket's `latest.json`, which a previous version may have
 * written. Reports of 0.1.0 carry no `survivedS`: where no limit was found, what the phase
 * survived is read back from their `headroomS` against the load balancer's idle timeout.
 *
 * @example
 * fromScanJson(JSON.parse(body)).loadBalancers[0].phases.preRequest; // { limitS: null, survivedS: 66, ... }
 */
export function fromScanJson(json: SavedScanReport): ScanReport {
  return {
    ...json,
    loadBalancers: json.loadBalancers.map((lb) => ({
      ...lb,
      phases: Object.fromEntries(Object.entries(lb.phases).map(([phase, saved]) => [phase, savedPhase(saved, lb.idleTimeoutS)])),
    })),
  };
}

function savedPhase(saved: SavedPhase, idleTimeoutS: number | null): PhaseVerdict {
  return { limitS: saved.limitS, survivedS: saved.survivedS !== undefined ? saved.survivedS : survivedFromHeadroom(saved, idleTimeoutS), verdict: saved.verdict, failingBackends: saved.failingBackends };
}

/** 0.1.0 stored `headroomS`: the limit, or when none what was survived, minus the idle timeout. */
function survivedFromHeadroom(saved: SavedPhase, idleTimeoutS: number | null): number | null {
  const headroomS = saved.headroomS ?? null;
  return saved.limitS !== null || headroomS === null || idleTimeoutS === null ? null : roundS(idleTimeoutS + headroomS);
}

function fromProbe(result: ProbeResult): LoadBalancerVerdict {
  const id = withProtocol(`${result.target.host}:${result.target.port}`, result.target.protocolVersion);
  const phases = Object.fromEntries(
    (Object.entries(result.phases) as Array<[PhaseName, NonNullable<ProbeResult['phases'][PhaseName]>]>).map(([phase, measured]) => [
      phase,
      {
        limitS: measured.limitS,
        // What the probe vouches for when no limit was found: the horizon, if connections survived to it.
        survivedS: measured.limitS === null ? probeBoundS(measured, result.horizonS) : null,
        verdict: measured.verdict,
        failingBackends: measured.verdict === 'fail' ? [id] : [],
      },
    ]),
  );
  return {
    name: id,
    type: 'probe',
    vpcId: OUTSIDE_ANY_VPC,
    idleTimeoutS: result.loadBalancerIdleTimeoutS,
    // Results saved before the margin was recorded were judged with the default.
    marginS: result.marginS ?? judgeDefaults.marginS,
    phases: result.error ? {} : phases,
    verdict: result.verdict,
    backends: [{ id, probe: result, phases: Object.fromEntries(Object.entries(phases).map(([p, v]) => [p, v.verdict])), verdict: result.verdict }],
    probeErrors: result.error ? 1 : 0,
    backendsNotSampled: 0,
    skipped: [],
  };
}

function isScanReport(json: unknown): json is SavedScanReport {
  return typeof json === 'object' && json !== null && Array.isArray((json as SavedScanReport).loadBalancers) && typeof (json as SavedScanReport).region === 'string';
}

function isProbeResult(json: unknown): json is ProbeResult {
  return typeof json === 'object' && json !== null && typeof (json as ProbeResult).target === 'object' && typeof (json as ProbeResult).phases === 'object';
}
