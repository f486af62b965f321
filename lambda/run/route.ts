/**
 * Which probe holds a backend's sockets: the Lambda probe when its worst-case duration fits a
 * Lambda's time with a safety margin, the long-horizon probe on ECS Fargate otherwise.
 *
 * Pure, so that the rule is tested at its boundaries; discover applies it, and the limits of
 * the long path are derived from the same figures.
 */
import { defaults as engineDefaults } from '../probe/engine';
import { defaultHorizonS, roundOneActives, roundOneDelaysS, roundS, staggeredPhase, SWEEP_COVERAGE } from '../probe/plan';
import { PHASE_NAMES } from '../probe/types';
import { PROBE_RESERVE_S, STEP_MINUTES } from './limits';

/**
 * The kinds of backend whose probe takes longest, each its own way (unknown until measured):
 * the routing must hold for each. Not the contract's `Enforcement` (`eager`, `lazy`, `none`): a
 * sweep is eager enforcement there, with `sweepS`.
 */
export type WorstCaseKind = 'eager' | 'sweep' | 'lazy';

/** Where a backend is probed. */
export type Route = 'lambda' | 'long';

/** The figures of the worst-case model, in seconds; the engine's own defaults. */
export const WORST_CASE = {
  /** Process or function start, name resolution and the first request's connect and answer. */
  startS: 5 + (engineDefaults.connectTimeoutMs + engineDefaults.responseTimeoutMs) / 1000,
  /** The longest a late request may wait for its answer. */
  answerS: engineDefaults.responseTimeoutMs / 1000,
} as const;

/** Seconds the probe function may run: its timeout. */
export const LAMBDA_TIMEOUT_S = STEP_MINUTES.probe * 60;

/**
 * Share of the probing time kept free for what the model does not see (a slow start, a busy
 * event loop, each request's 250 ms segment pause: under a second on a worst-case path).
 */
export const LAMBDA_SAFETY_SHARE = 0.1;

/** Seconds of probing a Lambda route allows: what the handler gives the engine, less the safety share. */
export const lambdaProbeS = (lambdaTimeoutS = LAMBDA_TIMEOUT_S) => (lambdaTimeoutS - PROBE_RESERVE_S) * (1 - LAMBDA_SAFETY_SHARE);

/**
 * The longest a target's probe can take for one kind of backend, start included.
 *
 * - eager: the passive socket holds to the horizon, then its request is answered;
 * - sweep: a server that may sweep after the horizon is waited for `SWEEP_COVERAGE` of the
 *   horizon more (the engine's own rule);
 * - lazy: a failure shows at the top of a bracket (a first-round idle, or the horizon, where
 *   the staggered sockets send), and the narrowing chain then opens its last socket half the
 *   bracket's width later and idles it up to the failed idle again (`narrowingScheduleS`).
 *
 * @example
 * worstCaseS(60, 'eager'); // 91 (66 s horizon, 10 s answer, 15 s start)
 */
export function worstCaseS(loadBalancerIdleTimeoutS: number, enforcement: WorstCaseKind): number {
  const horizonS = defaultHorizonS(loadBalancerIdleTimeoutS);
  const { startS, answerS } = WORST_CASE;
  if (enforcement === 'eager') return roundS(startS + horizonS + answerS);
  if (enforcement === 'sweep') return roundS(startS + horizonS * (1 + SWEEP_COVERAGE) + answerS);
  const staggered = staggeredPhase(PHASE_NAMES);
  let worst = 0;
  for (const phase of PHASE_NAMES) {
    const tops = [0, ...roundOneDelaysS(roundOneActives(phase, phase === staggered), loadBalancerIdleTimeoutS, horizonS), horizonS];
    for (let i = 1; i < tops.length; i++) {
      const [lo, hi] = [tops[i - 1], tops[i]];
      worst = Math.max(worst, hi + answerS + (hi - lo) / 2 + hi + answerS);
    }
  }
  // The keep-alive phase idles only after the first response.
  return roundS(startS + answerS + worst);
}

/** The worst case over every kind of backend: what a probe must be given time for. */
export const worstCaseAnyS = (loadBalancerIdleTimeoutS: number) => Math.max(...(['eager', 'sweep', 'lazy'] as const).map((kind) => worstCaseS(loadBalancerIdleTimeoutS, kind)));

/**
 * The probe of a backend behind load balancers whose longest idle timeout is this.
 *
 * Why the worst case over every kind: the kind is only known once measured, and a Lambda that
 * runs out of time leaves a lazy limit unnarrowed or a horizon unreached (`inconclusive`).
 *
 * @example
 * routeOf(60); // 'lambda'
 * routeOf(600); // 'long': a lazy backend needs about 1,700 s to narrow
 */
export function routeOf(loadBalancerIdleTimeoutS: number, lambdaTimeoutS = LAMBDA_TIMEOUT_S): Route {
  return worstCaseAnyS(loadBalancerIdleTimeoutS) <= lambdaProbeS(lambdaTimeoutS) ? 'lambda' : 'long';
}

/**
 * A run's plan split by route: what the probe functions take, and what the long probe does.
 *
 * @example
 * splitByRoute(plan, 900); // { lambda: [...60 s backends], long: [...3,600 s backends] }
 */
export function splitByRoute<T extends { readonly job: { readonly loadBalancerIdleTimeoutS: number } }>(plan: readonly T[], lambdaTimeoutS = LAMBDA_TIMEOUT_S): Record<Route, T[]> {
  const routes: Record<Route, T[]> = { lambda: [], long: [] };
  for (const item of plan) routes[routeOf(item.job.loadBalancerIdleTimeoutS, lambdaTimeoutS)].push(item);
  return routes;
}
