/**
 * Headroom: how far what a backend is known to tolerate lies above a load balancer's idle
 * timeout. Verdicts store what was measured (limits, idle survived); headroom is computed from
 * them here, where it is shown or published, against whichever timeout is being judged.
 *
 * Pure: the arithmetic every `*Headroom` metric and report column depends on.
 */
import { roundS } from './plan';
import type { PhaseResult } from './types';

/**
 * The bound minus the idle timeout; `null` when either is unknown.
 *
 * @example
 * headroomS(40.2, 60); // -19.8
 * headroomS(null, 60); // null
 */
export function headroomS(boundS: number | null, idleTimeoutS: number | null): number | null {
  return boundS === null || idleTimeoutS === null ? null : roundS(boundS - idleTimeoutS);
}

/**
 * What one probed phase is known to tolerate, as the probe contract's `headroomS` counts it:
 * the measured limit, else the horizon when connections survived to it; `null` otherwise.
 *
 * Why the horizon and not the longest survival: the probe holds connections to the horizon and
 * no further, so that is what it vouches for.
 *
 * @example
 * probeBoundS({ limitS: null, survivedS: 66.004 }, 66); // 66
 */
export function probeBoundS(measured: Pick<PhaseResult, 'limitS' | 'survivedS'>, horizonS: number): number | null {
  if (measured.limitS !== null) return measured.limitS;
  return measured.survivedS !== null && measured.survivedS >= horizonS ? horizonS : null;
}

/**
 * One probed phase's headroom against an idle timeout, as the probe contract counts it.
 *
 * @example
 * probeHeadroomS(result.phases.preRequest!, result.horizonS, 60); // -19.713
 */
export function probeHeadroomS(measured: Pick<PhaseResult, 'limitS' | 'survivedS'>, horizonS: number, idleTimeoutS: number): number | null {
  return headroomS(probeBoundS(measured, horizonS), idleTimeoutS);
}
