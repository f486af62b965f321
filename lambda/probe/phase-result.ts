/**
 * Turns what a phase's sockets saw into the contract's result: bracket, limit, verdict.
 *
 * Pure, so that the arithmetic every alarm depends on is tested exactly.
 */
import { discountUnaccepted, NOT_ACCEPTED_REASON, unacceptedCount, withAcceptDoubt } from './accept';
import { probeHeadroomS } from './headroom';
import { roundS, type Bracket } from './plan';
import { analyzeSweeps, exceptCrossings, spansOf } from './sweep';
import type { ClosedWith, Enforcement, PhaseEvidence, PhaseResult, SocketRecord, Verdict } from './types';
import { goawayOf, type Goaway } from './wire/goaway';

/** What the verdict is judged against. */
export interface PhaseContext {
  readonly loadBalancerIdleTimeoutS: number;
  readonly horizonS: number;
  /** Headroom below which the phase fails. */
  readonly marginS: number;
  /**
   * The longest the event loop was seen late, in seconds: a close observed at T was
   * still open at T minus this.
   */
  readonly lagS: number;
  /**
   * The longest the event loop was seen late by the run's samples too, in seconds: idles closer
   * than twice this are not told apart (`analyzeSweeps`).
   * @default lagS
   */
  readonly loopLagS?: number;
  /** Set when the phase was cut short (time budget, abort): why, in plain words. */
  readonly cutShort?: string;
  /**
   * Closes within this many seconds of each other count as one periodic sweep.
   * @default 0.05
   */
  readonly sweepToleranceS?: number;
}

/** Closes this close together are one sweep, unless the caller knows better (its stagger and lag). */
const DEFAULT_SWEEP_TOLERANCE_S = 0.05;

/**
 * A request sent within this many seconds of an unprompted close most likely met that close
 * rather than a lazy check: the server's FIN was already on its way.
 */
const RACE_WINDOW_S = 0.05;

interface Failure {
  readonly idleS: number;
  readonly closedWith: ClosedWith | null;
  readonly unprompted: boolean;
  readonly goaway?: Goaway;
}

/**
 * Summarises one phase of one target.
 *
 * Why the rules: the worst case is what the load balancer eventually hits, so the limit is
 * the shortest idle seen to fail (by a close of the server's own or in answer to a late
 * request). A phase passes only on evidence that connections survive past the load
 * balancer's timeout plus the margin, fails on evidence that they do not, and is
 * `inconclusive` otherwise, never a reassuring `pass`.
 *
 * @example
 * summarizePhase(sockets, { loadBalancerIdleTimeoutS: 60, horizonS: 66, marginS: 1, lagS: 0.002 });
 */
export function summarizePhase(measured: readonly SocketRecord[], context: PhaseContext): PhaseResult {
  const sockets = discountUnaccepted(measured);
  const lbS = context.loadBalancerIdleTimeoutS;
  const toleranceS = context.sweepToleranceS ?? DEFAULT_SWEEP_TOLERANCE_S;
  const sweep = checkedPerConnection(sockets, lbS + context.marginS) ? ({ kind: 'per-connection' } as const) : analyzeSweeps(spansOf(sockets), toleranceS, context.loopLagS ?? context.lagS);
  const periodic = sweep.kind === 'periodic' ? sweep : null;
  // A request that met a sweep's close on its way failed by the sweep, not by a lazy check.
  const failure = firstFailure(exceptCrossings(sockets, sweep, toleranceS));
  // Periodic: only sockets idle across a sweep bound the threshold from below.
  const survivedS = periodic ? periodic.survivedS : longestSurvival(sockets, failure, context.lagS);
  const limitS = periodic ? periodic.failedS : (failure?.idleS ?? null);
  const sweepS = periodic?.sweepS ?? null;

  const evidence: PhaseEvidence = {
    socketsOpened: sockets.length,
    socketsUnaccepted: unacceptedCount(sockets),
    keepAliveOffered: true,
    ...(context.cutShort !== undefined ? { cutShort: context.cutShort } : {}),
    ...(periodic?.schedules === 'several' ? { severalSweepSchedules: true } : {}),
  };
  const { verdict, reason } = phaseVerdict({ limitS, survivedS, sweepS, evidence }, { idleTimeoutS: lbS, marginS: context.marginS, horizonS: context.horizonS });
  return {
    limitS,
    survivedS,
    failedS: limitS,
    enforcement: enforcementOf(failure),
    sweepS,
    ...(periodic ? { sweepsSeen: periodic.sweepsSeen } : {}),
    closedWith: failure?.closedWith ?? null,
    ...goawayOf(failure ?? {}),
    headroomS: probeHeadroomS({ limitS, survivedS }, context.horizonS, lbS),
    verdict,
    ...(reason !== undefined ? { reason } : {}),
    sockets,
    evidence,
  };
}

/** What a phase is judged against: a load balancer's idle timeout and margin, and the horizon it was probed to. */
export interface Standard {
  readonly idleTimeoutS: number;
  readonly marginS: number;
  /** How long the phase's sockets were held, in seconds (the result's `horizonS`). */
  readonly horizonS: number;
}

/** The reason of a phase that passes because the server offers no keep-alive. */
export const NO_KEEP_ALIVE_REASON = 'the server closes the connection after every response (no keep-alive), so no idle connection is reused';

/**
 * The verdict of a phase, and why when it is not plain: the one rule the probe, every load
 * balancer's judge, the reports and the advice use.
 *
 * Why from the bracket and the evidence only, never the socket records: records may be
 * dropped to fit a state; a verdict made from what is always kept is the same wherever and
 * whenever it is made. A phase cut short says so first: what it did not see may be why
 * connections look unaccepted.
 *
 * @example
 * phaseVerdict(result.phases.preRequest!, { idleTimeoutS: 30, marginS: 2, horizonS: result.horizonS });
 * // { verdict: 'pass' }
 */
export function phaseVerdict(
  measured: Pick<PhaseResult, 'limitS' | 'survivedS' | 'sweepS'> & { readonly evidence: PhaseEvidence },
  standard: Standard,
): { verdict: Verdict; reason?: string } {
  const { limitS, survivedS, evidence } = measured;
  if (!evidence.keepAliveOffered) return { verdict: 'pass', reason: NO_KEEP_ALIVE_REASON };
  const sweepS = measured.sweepS ?? null;
  const { verdict, reason } = withAcceptDoubt(judgeLimit(limitS, survivedS, standard.idleTimeoutS, standard.marginS, sweepS), evidence.socketsUnaccepted, evidence.socketsOpened);
  if (verdict !== 'inconclusive') return { verdict };
  return { verdict, reason: evidence.cutShort ?? reason ?? inconclusiveReason(survivedS, limitS, sweepS, standard, evidence) };
}

/**
 * A phase's evidence: as it carries it, or for a result of a version before `evidence`,
 * rebuilt from its records and reason.
 *
 * Why the reason too: such a result, cut to its state budget, may have lost the records of the
 * sockets never accepted; its reason still says the server left some unaccepted.
 *
 * @example
 * phaseEvidence(savedPhase); // { socketsOpened: 48, socketsUnaccepted: 3, keepAliveOffered: true }
 */
export function phaseEvidence(phase: PhaseResult): PhaseEvidence {
  if (phase.evidence !== undefined) return phase.evidence;
  const recorded = unacceptedCount(phase.sockets);
  const doubted = phase.reason?.startsWith(NOT_ACCEPTED_REASON) === true;
  return {
    socketsOpened: phase.sockets.length + (phase.socketsOmitted ?? 0),
    socketsUnaccepted: doubted ? Math.max(recorded, 1) : recorded,
    // Only a server without keep-alive passes with no idle seen to survive.
    keepAliveOffered: !(phase.verdict === 'pass' && phase.survivedS === null),
  };
}

/** The bracket a phase's sockets have established so far, if anything failed. */
export function currentBracket(sockets: readonly SocketRecord[], lagS: number): Bracket | null {
  const failure = firstFailure(sockets);
  if (failure === null) return null;
  return { survivedS: longestSurvival(sockets, failure, lagS) ?? 0, failedS: failure.idleS };
}

/**
 * The verdict rule: fail on a limit at or below the timeout plus margin, pass on survival to it,
 * `inconclusive` otherwise.
 *
 * Why periodic thresholds are judged on their bracket: the threshold lies between
 * `survivedS` and `limitS`, and where the bracket falls depends on the sweep's phase. A
 * threshold that may be below the timeout plus margin fails, whichever bracket this run got,
 * so that the same server gets the same verdict in every run; it passes only when connections
 * were seen to survive a sweep at that idle.
 *
 * Exported because a backend shared by several load balancers is probed once and judged
 * again against each one's timeout.
 *
 * @example
 * judgeLimit(40.3, 39.9, 60, 1); // 'fail'
 * judgeLimit(null, 66, 60, 1);   // 'pass'
 * judgeLimit(61.8, 59.8, 60, 1, 30); // 'fail': the threshold may be 60 s
 */
export function judgeLimit(limitS: number | null, survivedS: number | null, lbS: number, marginS: number, sweepS: number | null = null): Verdict {
  const neededS = lbS + marginS;
  if (limitS !== null && limitS <= neededS) return 'fail';
  if (limitS !== null && sweepS !== null) {
    if (survivedS === null) return 'inconclusive';
    return survivedS < neededS ? 'fail' : 'pass';
  }
  if (survivedS !== null && survivedS >= neededS) return 'pass';
  return 'inconclusive';
}

/**
 * Whether the server closed an aligned socket (`alignedSockets`) by itself, or the tick test's
 * (`failedAtS`), at or before the idle a pass needs (`neededS`): it checks each connection's idle
 * on a schedule of that connection's own, and the phase fails on that close whatever else it saw.
 *
 * Why no sweep analysis then: the keep-alive sockets called at their first answers (the
 * passive one, the one at another moment of a second) opened together, so gRPC core's checks,
 * a setting apart from each one's open, close them at once after different idles, which
 * `analyzeSweeps` reads as a sweep ("checked every" a few milliseconds, or a threshold with no
 * survivor); the limit is the shortest close, the aligned socket's, as for any per-connection timer.
 * Why only up to `neededS`: past it a pass would rest on the survivals, and a server that really
 * sweeps lets a connection survive past its threshold when no sweep came meanwhile; only the
 * sweep analysis tells those apart, so it stays.
 *
 * Why the tick test's socket too (`tickTestMomentS`): it is no span of the sweep analysis
 * (`spansOf`), so its close was lost when the others read as a sweep: on real sockets, a clock
 * closing from 3 to 4 s idle closed the passive socket and the one half a tick later at one
 * tick, and the phase read "no connection was seen to survive a check" (inconclusive) beside
 * the tick test's close at 3.154 s, behind 3 s with a 0.2 s margin.
 */
function checkedPerConnection(sockets: readonly SocketRecord[], neededS: number): boolean {
  return sockets.some((s) => {
    const idleS = failedAtS(s);
    return idleS !== null && idleS <= neededS && ((s.role === 'aligned' && s.unprompted) || s.role === 'tick');
  });
}

/**
 * The idle at which a closed socket failed, `null` when it did not: its record's, but the tick
 * test's at most its request's (`plannedIdleS`), whether it closed before the request or in answer.
 *
 * Why: the server closed it at the tick before that request (`tickTestMomentS`), a few
 * hundredths of a second before it; a loop late by more read the close, or the request that
 * crossed it, past the needed idle, where it failed nothing. On a loop stalled up to 60 ms every
 * 100 ms (simulated), a clock closing from 3 to 4 s behind 3 s with a 0.2 s margin passed 2
 * phases in 100 and was inconclusive in 1 (1 passes now, its tick test never run). A later
 * request would not do: a clock counting whole seconds needs the idle to start before a tick,
 * and the later the request, the more margins start it after.
 */
function failedAtS(socket: SocketRecord): number | null {
  if (socket.outcome !== 'closed' || socket.idleS === null) return null;
  return socket.role === 'tick' ? Math.min(socket.idleS, socket.plannedIdleS) : socket.idleS;
}

/**
 * The shortest failure; an unprompted close wins a near tie with a request that met it.
 */
function firstFailure(sockets: readonly SocketRecord[]): Failure | null {
  const failures: Failure[] = sockets
    .flatMap((s) => {
      const idleS = failedAtS(s);
      // The tick test's close in answer is its tick's, crossed by the request: the server's own.
      return idleS === null ? [] : [{ idleS, closedWith: s.closedWith, unprompted: s.unprompted || s.role === 'tick', ...goawayOf(s) }];
    })
    .sort((a, b) => a.idleS - b.idleS);
  const first = failures[0];
  if (first === undefined || first.unprompted) return first ?? null;
  const eager = failures.find((f) => f.unprompted && f.idleS <= first.idleS + RACE_WINDOW_S);
  return eager ? { ...eager, idleS: first.idleS } : first;
}

/**
 * The longest idle seen to survive below the first failure: an answered request, or a
 * socket that was still open (by the event loop's reckoning) when the server closed it.
 */
function longestSurvival(sockets: readonly SocketRecord[], failure: Failure | null, lagS: number): number | null {
  const evidence = sockets.flatMap((s): number[] => {
    if (s.idleS === null) return [];
    if (s.outcome === 'response') return [s.idleS];
    if (s.outcome === 'closed' && s.unprompted) return [Math.max(0, roundS(s.idleS - lagS))];
    return [];
  });
  const below = evidence.filter((idleS) => failure === null || idleS < failure.idleS);
  return below.length > 0 ? Math.max(...below) : null;
}

function enforcementOf(failure: Failure | null): Enforcement {
  if (failure === null) return 'none';
  return failure.unprompted ? 'eager' : 'lazy';
}

function inconclusiveReason(survivedS: number | null, limitS: number | null, sweepS: number | null, standard: Standard, evidence: PhaseEvidence): string {
  const neededS = standard.idleTimeoutS + standard.marginS;
  if (limitS !== null && evidence.severalSweepSchedules === true) {
    return `periodic checks closed connections idle ${limitS} s on several schedules (worker processes that each check at their own moments?), and surviving one worker's check shows nothing of another's threshold, so it may be lower`;
  }
  if (limitS !== null && sweepS !== null && survivedS === null) {
    return `a periodic check closed connections idle ${limitS} s, and no connection was seen to survive a check, so the threshold may be lower`;
  }
  if (standard.horizonS < neededS) {
    return `connections were held for ${standard.horizonS} s, less than the load balancer idle timeout plus margin (${neededS} s)`;
  }
  if (survivedS === null) return 'no socket survived or failed an idle';
  return `connections survived ${survivedS} s, short of the ${neededS} s needed`;
}
