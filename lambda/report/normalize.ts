/**
 * Any saved run as a run report: `scan --json`, `probe --json` (one result or several), or the
 * bucket's `runs/*.json`.
 */
import { defaults as judgeDefaults, type LoadBalancerVerdict } from '../judge';
import { worstVerdict, type PhaseName, type ProbeResult } from '../probe';
import type { ScanReport } from './scan';

/**
 * Reads a saved run; probe results become one section per target, judged as probed.
 *
 * @throws Error saying what was expected when the JSON is neither
 * @example
 * asScanReport(JSON.parse(readFileSync('run.json', 'utf8')));
 */
export function asScanReport(json: unknown): ScanReport {
  if (isScanReport(json)) return json;
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

function fromProbe(result: ProbeResult): LoadBalancerVerdict {
  const id = `${result.target.host}:${result.target.port}`;
  const phases = Object.fromEntries(
    (Object.entries(result.phases) as Array<[PhaseName, NonNullable<ProbeResult['phases'][PhaseName]>]>).map(([phase, measured]) => [
      phase,
      { limitS: measured.limitS, headroomS: measured.headroomS, verdict: measured.verdict, failingBackends: measured.verdict === 'fail' ? [id] : [] },
    ]),
  );
  return {
    name: id,
    type: 'probe',
    vpcId: '-',
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

function isScanReport(json: unknown): json is ScanReport {
  return typeof json === 'object' && json !== null && Array.isArray((json as ScanReport).loadBalancers) && typeof (json as ScanReport).region === 'string';
}

function isProbeResult(json: unknown): json is ProbeResult {
  return typeof json === 'object' && json !== null && typeof (json as ProbeResult).target === 'object' && typeof (json as ProbeResult).phases === 'object';
}
