/**
 * From probe results to verdicts per load balancer: the answer to "which of my load
 * balancers will drop requests, and by how much?".
 *
 * Pure: no I/O, so that every alarm's arithmetic is tested exactly.
 */
import { planKeyOf } from '../discovery/plan';
import { headroomS, probeHeadroomS } from '../probe/headroom';
import { withDefaults } from '../shared/defaults';
import { DEFAULTS } from '../shared/settings';
import type { Reachability } from '../discovery/reachability';
import { judgeChain, judgePassThrough, keepAliveVerdict, type Chain } from './chain';
import { OUTSIDE_ANY_VPC, type CloudFrontOrigin, type Discovery, type LoadBalancerPlan, type LoadBalancerType, type PlannedBackend, type ProbePlanItem, type Skipped } from '../discovery/types';
import { phaseEvidence, phaseVerdict, worstVerdict, type PhaseName, type PhaseResult, type ProbeResult, type Standard, type Verdict } from '../probe';

/** Defaults of the judge, merged once. */
export const defaults = {
  /** Headroom below which a phase fails, unless the load balancer's tag says otherwise. */
  marginS: DEFAULTS.marginS,
} as const;

export interface JudgeOptions {
  /** @default 1 */
  readonly marginS?: number;
}

/** One probed backend of a load balancer, judged against that load balancer's timeout. */
export interface BackendVerdict {
  readonly id: string;
  readonly instanceId?: string;
  readonly targetGroup?: string;
  /** What the backend's security groups say about the probe, when they were read. */
  readonly reachability?: Reachability;
  /** The probe contract result, as measured (its own verdict is against the longest timeout it serves). */
  readonly probe: ProbeResult;
  /** Per phase, against this load balancer's idle timeout and margin. */
  readonly phases: Partial<Record<PhaseName, Verdict>>;
  readonly verdict: Verdict;
}

/**
 * One phase of a load balancer: the worst of its backends, as measured. Its headroom against
 * the idle timeout is computed where it is shown or published (`phaseHeadroomS`).
 */
export interface PhaseVerdict {
  /** Smallest measured limit over the probed backends; `null` when none was found. */
  readonly limitS: number | null;
  /**
   * When no limit was found: the shortest idle its backends were all seen to survive, so the
   * limit is at least this; `null` when a limit was found or nothing was measured.
   */
  readonly survivedS: number | null;
  readonly verdict: Verdict;
  /** Ids of the backends whose limit is below the timeout plus margin. */
  readonly failingBackends: readonly string[];
}

export interface LoadBalancerVerdict {
  readonly name: string;
  /** `probe` for targets probed by hand, judged against the given idle timeout. */
  readonly type: LoadBalancerType;
  /** An ALB's ARN: with the type, what its metrics' `LoadBalancer` dimension is made of. */
  readonly arn?: string;
  /** Its VPC; `OUTSIDE_ANY_VPC` (`-`) for a front probed from outside any VPC and for targets probed by hand. */
  readonly vpcId: string;
  /** `null` when discovery could not read it (then `error` says why). */
  readonly idleTimeoutS: number | null;
  readonly marginS: number;
  readonly phases: Partial<Record<PhaseName, PhaseVerdict>>;
  readonly verdict: Verdict;
  readonly backends: readonly BackendVerdict[];
  /** Backends that could not be probed at all (refused, unreachable...). */
  readonly probeErrors: number;
  readonly backendsNotSampled: number;
  readonly skipped: readonly Skipped[];
  /** Discovery failed for this load balancer. */
  readonly error?: string;
  /** A CloudFront origin: its distribution, origin, keep-alive (the `idleTimeoutS` it is judged against) and what it is. */
  readonly cloudFront?: CloudFrontOrigin;
  /** A CloudFront origin that is a load balancer: CloudFront → load balancer → backends, and which hop is short. */
  readonly chain?: Chain;
}

/**
 * Judges every discovered load balancer from the results of the probe plan.
 *
 * Why per load balancer again: a backend shared by load balancers with different idle
 * timeouts is probed once, against the longest; its limit may pass one and fail another.
 *
 * @example
 * const verdicts = judgeLoadBalancers(discovery.loadBalancers, plan, results, { marginS: 1 });
 */
export function judgeLoadBalancers(
  loadBalancers: Discovery['loadBalancers'],
  plan: readonly ProbePlanItem[],
  /** One per plan item, in order; missing where a shard was lost (counted as probe errors). */
  results: ReadonlyArray<ProbeResult | undefined>,
  options: JudgeOptions = {},
): LoadBalancerVerdict[] {
  const settings = withDefaults(defaults, options);
  const resultByBackend = new Map<string, ProbeResult>();
  plan.forEach((item, index) => {
    const result = results[index];
    if (result === undefined) return;
    for (const name of item.loadBalancers) resultByBackend.set(backendKey(name, item.key), result);
  });
  const verdicts = loadBalancers.map((lb) => judgeLoadBalancer(lb, lb.marginS ?? settings.marginS, (backend) => resultByBackend.get(backendKey(lb.name, planKeyOf(backend)))));
  return verdicts.map((verdict) => (verdict.cloudFront?.loadBalancer ? withChain(verdict, verdicts) : verdict.cloudFront?.networkLoadBalancer ? withPassThrough(verdict) : verdict));
}

/** What a front's phases are known to tolerate, at the least: the smallest over its phases; `null` when nothing was measured. */
function leastToleratedS(lb: LoadBalancerVerdict): number | null {
  const tolerated = Object.values(lb.phases).map(toleratedS).filter((s): s is number => s !== null);
  return tolerated.length > 0 ? Math.min(...tolerated) : null;
}

/**
 * A CloudFront origin on a Network Load Balancer: its targets' verdict (the probe's, against the
 * keep-alive) and the listener's TCP idle timeout against the keep-alive; the worst of both.
 */
function withPassThrough(origin: LoadBalancerVerdict): LoadBalancerVerdict {
  const chain = judgePassThrough(origin.cloudFront!, { verdict: origin.verdict, toleratedS: leastToleratedS(origin) }, origin.marginS);
  return { ...origin, verdict: worstVerdict([origin.verdict, chain.links[0].verdict]), chain };
}

/**
 * A CloudFront origin on a load balancer, with the chain down to that load balancer's backends
 * (its verdict in this run).
 */
function withChain(origin: LoadBalancerVerdict, verdicts: readonly LoadBalancerVerdict[]): LoadBalancerVerdict {
  const target = origin.cloudFront!.loadBalancer!;
  // A load balancer of another region was not judged in this run: its backends are unknown.
  const lb = target.region === undefined ? verdicts.find((v) => v.type === target.type && v.name === target.name && v.arn === target.arn) : undefined;
  const downstream = lb ? { verdict: lb.verdict, toleratedS: leastToleratedS(lb) } : undefined;
  return { ...origin, chain: judgeChain(origin.cloudFront!, downstream, origin.marginS) };
}

/**
 * A CloudFront origin on a load balancer, judged without a probe: the load balancer keeps idle
 * connections for its idle timeout, which is the limit CloudFront's keep-alive meets (a
 * `keepAlive` phase, so that metrics, alarms and reports show it as any other limit).
 */
function judgeKeepAliveCheck(lb: LoadBalancerPlan, origin: CloudFrontOrigin, marginS: number): LoadBalancerVerdict {
  const limitS = origin.loadBalancer!.idleTimeoutS;
  const verdict = keepAliveVerdict(origin.keepAliveS, limitS, marginS);
  return {
    name: lb.name,
    type: lb.type,
    vpcId: lb.vpcId ?? OUTSIDE_ANY_VPC,
    idleTimeoutS: origin.keepAliveS,
    marginS,
    phases: limitS === null ? {} : { keepAlive: { limitS, survivedS: null, verdict, failingBackends: verdict === 'fail' ? [origin.loadBalancer!.name] : [] } },
    verdict: lb.error !== undefined ? worstVerdict([verdict, 'inconclusive']) : verdict,
    backends: [],
    probeErrors: 0,
    backendsNotSampled: 0,
    skipped: lb.skipped,
    ...(lb.error !== undefined ? { error: lb.error } : {}),
    cloudFront: origin,
  };
}

/**
 * What a load balancer's phase is known to tolerate: its measured limit, else the shortest idle
 * its backends survived; `null` when nothing was measured.
 *
 * @example
 * toleratedS({ limitS: null, survivedS: 66, verdict: 'pass', failingBackends: [] }); // 66
 */
export function toleratedS(phase: Pick<PhaseVerdict, 'limitS' | 'survivedS'>): number | null {
  return phase.limitS ?? phase.survivedS;
}

/**
 * A phase's headroom against an idle timeout: what it tolerates minus the timeout; `null` when
 * nothing was measured or the timeout is unknown.
 *
 * Why computed, not stored: the verdict keeps what was measured, and every place that shows
 * or publishes a headroom (metrics, reports, the JSON documents) derives it the same way.
 *
 * @example
 * phaseHeadroomS({ limitS: 40.2, survivedS: null, verdict: 'fail', failingBackends: ['i-0a'] }, 60); // -19.8
 */
export function phaseHeadroomS(phase: Pick<PhaseVerdict, 'limitS' | 'survivedS'>, idleTimeoutS: number | null): number | null {
  return headroomS(toleratedS(phase), idleTimeoutS);
}

/**
 * A backend's probe result as judged against one of its load balancers: that load balancer's
 * idle timeout, margin and per-phase verdicts, the headroom against its timeout.
 *
 * Why: a backend shared by a 60 s and a 100 s load balancer is probed once, against 100 s;
 * the 60 s load balancer's report must show and advise from its own verdict, not the probe's.
 *
 * @example
 * adviseTarget(judgedProbe(lb, lb.backends[0])); // advice against lb's timeout
 */
export function judgedProbe(lb: Pick<LoadBalancerVerdict, 'idleTimeoutS' | 'marginS'>, backend: BackendVerdict): ProbeResult {
  const probe = backend.probe;
  const idleTimeoutS = lb.idleTimeoutS ?? probe.loadBalancerIdleTimeoutS;
  const phases = Object.fromEntries(
    (Object.entries(probe.phases) as Array<[PhaseName, PhaseResult]>).map(([phase, measured]) => {
      // The reason is this load balancer's too (none for a plain verdict): the probe's own explains another timeout's verdict.
      const { verdict, reason } = judgeMeasuredPhase(measured, { idleTimeoutS, marginS: lb.marginS, horizonS: probe.horizonS });
      return [phase, { ...measured, evidence: phaseEvidence(measured), verdict, reason, headroomS: probeHeadroomS(measured, probe.horizonS, idleTimeoutS) }];
    }),
  );
  return { ...probe, loadBalancerIdleTimeoutS: idleTimeoutS, marginS: lb.marginS, phases, verdict: backend.verdict };
}

/**
 * A measured phase judged against a load balancer's timeout and margin: by the probe's own rule
 * (`phaseVerdict`), from the bracket and evidence the phase carries, never its socket records.
 *
 * Why: a result cut to its state budget has lost records; its verdict must not change with them.
 *
 * @example
 * judgeMeasuredPhase(result.phases.preRequest!, { idleTimeoutS: 30, marginS: 2, horizonS: result.horizonS }).verdict; // 'pass'
 */
function judgeMeasuredPhase(measured: PhaseResult, standard: Standard): { verdict: Verdict; reason?: string } {
  return phaseVerdict({ limitS: measured.limitS, survivedS: measured.survivedS, sweepS: measured.sweepS, evidence: phaseEvidence(measured) }, standard);
}

function backendKey(loadBalancer: string, planKey: string): string {
  return `${loadBalancer}\u0000${planKey}`;
}

function judgeLoadBalancer(lb: LoadBalancerPlan, marginS: number, resultOf: (backend: PlannedBackend) => ProbeResult | undefined): LoadBalancerVerdict {
  if (lb.cloudFront?.loadBalancer) return judgeKeepAliveCheck(lb, lb.cloudFront, marginS);
  const idleTimeoutS = lb.idleTimeoutS;
  const backends =
    idleTimeoutS === null
      ? []
      : lb.backends.flatMap((backend): BackendVerdict[] => {
          const result = resultOf(backend);
          return result === undefined ? [] : [judgeBackend(backend, result, idleTimeoutS, marginS)];
        });
  const probed = backends.filter((b) => b.probe.error === undefined);
  const phaseNames = [...new Set(backends.flatMap((b) => Object.keys(b.probe.phases) as PhaseName[]))];
  const phases = idleTimeoutS === null ? {} : Object.fromEntries(phaseNames.map((phase) => [phase, judgePhase(phase, probed)]));
  // A backend that could not be probed and one whose result was lost count alike.
  const probeErrors = lb.backends.length - probed.length;
  const verdicts = Object.values(phases).map((p) => p.verdict);
  // Nothing probed, a discovery error or a probe error leave doubt: never a reassuring pass
  // (a failing backend still fails the load balancer).
  const doubt = lb.error !== undefined || probeErrors > 0 || probed.length === 0;
  return {
    name: lb.name,
    type: lb.type,
    ...(lb.arn !== undefined ? { arn: lb.arn } : {}),
    vpcId: lb.vpcId ?? OUTSIDE_ANY_VPC,
    idleTimeoutS: lb.idleTimeoutS,
    marginS,
    phases,
    verdict: worstVerdict(doubt ? [...verdicts, 'inconclusive'] : verdicts),
    backends,
    probeErrors,
    backendsNotSampled: lb.backendsNotSampled,
    skipped: lb.skipped,
    ...(lb.error !== undefined ? { error: lb.error } : {}),
    ...(lb.cloudFront !== undefined ? { cloudFront: lb.cloudFront } : {}),
  };
}

function judgeBackend(backend: PlannedBackend, result: ProbeResult, idleTimeoutS: number, marginS: number): BackendVerdict {
  const phases = Object.fromEntries(
    Object.entries(result.phases).map(([phase, measured]) => [phase, judgeMeasuredPhase(measured as PhaseResult, { idleTimeoutS, marginS, horizonS: result.horizonS }).verdict]),
  ) as Partial<Record<PhaseName, Verdict>>;
  return {
    id: backend.id,
    ...(backend.instanceId !== undefined ? { instanceId: backend.instanceId } : {}),
    ...(backend.targetGroup !== undefined ? { targetGroup: backend.targetGroup } : {}),
    ...(backend.reachability !== undefined ? { reachability: backend.reachability } : {}),
    probe: result,
    phases,
    verdict: result.error !== undefined ? 'inconclusive' : worstVerdict(Object.values(phases)),
  };
}

function judgePhase(phase: PhaseName, probed: readonly BackendVerdict[]): PhaseVerdict {
  const measured = probed.flatMap((b) => (b.probe.phases[phase] ? [{ id: b.id, result: b.probe.phases[phase]!, verdict: b.phases[phase]! }] : []));
  const limits = measured.flatMap((m) => (m.result.limitS !== null ? [m.result.limitS] : []));
  const survivals = measured.flatMap((m) => (m.result.limitS === null && m.result.survivedS !== null ? [m.result.survivedS] : []));
  const limitS = limits.length > 0 ? Math.min(...limits) : null;
  return {
    limitS,
    survivedS: limitS === null && survivals.length > 0 ? Math.min(...survivals) : null,
    verdict: worstVerdict(measured.map((m) => m.verdict)),
    failingBackends: measured.filter((m) => m.verdict === 'fail').map((m) => m.id),
  };
}
