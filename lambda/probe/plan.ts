/**
 * Planning of probe sockets: how long to hold them, how many per phase, which idle each tests.
 *
 * Pure functions, so that the plan can be tested exactly and the socket code only executes it.
 */
import type { PhaseName } from './types';

/**
 * How long sockets are held by default: the load balancer idle timeout plus 10 %, at least 1 s.
 *
 * Why: the question is "does the backend outlast the load balancer?", so holding
 * slightly past its timeout answers it and a margin shows how much room there is.
 *
 * @example
 * defaultHorizonS(60); // 66
 */
export function defaultHorizonS(loadBalancerIdleTimeoutS: number): number {
  return roundS(Math.max(loadBalancerIdleTimeoutS * 1.1, loadBalancerIdleTimeoutS + 1));
}

/** How a target's socket budget is spent. */
export interface SocketAllocation {
  /** Active sockets of the first round, per phase. */
  readonly roundOne: Readonly<Partial<Record<PhaseName, number>>>;
  /** Sockets kept back to narrow a lazy bracket, shared by the phases. */
  readonly narrowing: number;
}

/** First-round active sockets wanted per phase: pre-request idles are the classic lazy case. */
const ROUND_ONE_WANTED: Readonly<Record<PhaseName, number>> = { preRequest: 5, keepAlive: 3 };

/**
 * Splits a target's socket budget: one passive socket per phase, then first-round active
 * sockets, and the rest (at least a third of the active budget) kept to narrow lazy brackets.
 *
 * Why: a passive socket alone catches eager servers to the millisecond; lazy servers need
 * active sockets, and the narrowing sockets are what turn a 10 s bracket into a 1 s one.
 *
 * @example
 * allocateSockets(16, ['preRequest', 'keepAlive']);
 * // { roundOne: { preRequest: 5, keepAlive: 3 }, narrowing: 6 }
 */
export function allocateSockets(maxSockets: number, phases: readonly PhaseName[]): SocketAllocation {
  const active = Math.max(0, maxSockets - phases.length);
  const roundOneCap = active - Math.floor(active / 3);
  const roundOne: Partial<Record<PhaseName, number>> = {};
  let given = 0;
  // Round-robin, so that every phase first gets the socket that tests the load balancer timeout.
  for (let share = 1; given < roundOneCap; share++) {
    const before = given;
    for (const phase of phases) {
      if (given < roundOneCap && share <= ROUND_ONE_WANTED[phase]) {
        roundOne[phase] = share;
        given++;
      }
    }
    if (given === before) break;
  }
  return { roundOne, narrowing: active - given };
}

/**
 * Idle delays of the first round of active sockets: dense near the load balancer timeout,
 * the last one exactly at it.
 *
 * Why: near the timeout a second decides pass or fail, far below it the phase fails anyway,
 * so the gaps shrink quadratically towards the timeout. The horizon itself is tested by the
 * passive socket, which sends its request when the horizon is reached.
 *
 * @example
 * roundOneDelaysS(5, 60, 66); // [21.6, 38.4, 50.4, 57.6, 60]
 */
export function roundOneDelaysS(count: number, loadBalancerIdleTimeoutS: number, horizonS: number): number[] {
  const top = Math.min(loadBalancerIdleTimeoutS, horizonS);
  return Array.from({ length: count }, (_, i) => {
    const fromTop = (count - 1 - i) / count;
    return roundS(top * (1 - fromTop * fromTop));
  });
}

/** What is known of a limit: the longest idle that survived and the shortest that failed. */
export interface Bracket {
  readonly survivedS: number;
  readonly failedS: number;
}

/**
 * The idle the next narrowing socket tests: the middle of the bracket.
 */
export function nextNarrowingIdleS(bracket: Bracket): number {
  return roundS((bracket.survivedS + bracket.failedS) / 2);
}

/**
 * When to open each socket of a narrowing chain, in seconds after the first failure showed.
 *
 * Why a schedule fixed in advance: plain bisection waits for each answer before starting the
 * next idle, costing a whole idle per step. Here socket k+1 opens a quarter of the bracket
 * width (at step k) after socket k; then, when socket k's answer comes, socket k+1 has idled
 * exactly as long as the lower half's midpoint: if the test failed it sends at once, if it
 * survived it idles on to the upper half's midpoint. Bisection halves the width whatever the
 * answers, so the schedule never depends on them, and a whole chain costs about one idle
 * plus half the bracket's width.
 *
 * @example
 * // Bracket (38.4, 50.4], 0.5 s wanted, 6 sockets to spare: 5 steps.
 * narrowingScheduleS(12, 0.5, 6); // [0, 3, 4.5, 5.25, 5.625]
 */
export function narrowingScheduleS(widthS: number, precisionS: number, maxSockets: number): number[] {
  const steps = Math.min(maxSockets, Math.max(0, Math.ceil(Math.log2(widthS / precisionS))));
  const offsets: number[] = [];
  for (let k = 0, offset = 0; k < steps; offset += widthS / 2 ** (k + 2), k++) offsets.push(roundS(offset));
  return offsets;
}

/**
 * Whether a bracket is still worth narrowing.
 */
export function needsNarrowing(bracket: Bracket, precisionS: number): boolean {
  return bracket.failedS - bracket.survivedS > precisionS;
}

/** Rounds seconds to milliseconds, the precision every figure is reported with. */
export function roundS(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
