/**
 * What the deployment system is answered for a verdict, and what the inconclusive setting did.
 *
 * Why a module of its own: the hook (a run that broke) and the run's conclusion (a run that
 * judged) answer alike, and the hook's bundle needs these two without the judge and the advice.
 */
import type { Verdict } from '../probe';
import type { HookStatus, OnInconclusive } from './types';

/**
 * The deployment system's answer to a verdict: a pass goes ahead, a fail does not, and an
 * inconclusive one as `onInconclusive` says.
 *
 * @example
 * hookStatusOf('inconclusive', 'continue'); // 'SUCCEEDED'
 */
export function hookStatusOf(verdict: Verdict, onInconclusive: OnInconclusive): HookStatus {
  return verdict === 'pass' || (verdict === 'inconclusive' && onInconclusive === 'continue') ? 'SUCCEEDED' : 'FAILED';
}

/** What the setting did with a deployment the gate could not judge, said in every inconclusive reason. */
export function inconclusiveSetting(onInconclusive: OnInconclusive): string {
  return onInconclusive === 'fail'
    ? "The gate fails a deployment it cannot judge (onInconclusive: 'fail'): fix what kept it from probing, or set onInconclusive: 'continue' to let such deployments proceed."
    : "The gate lets a deployment it cannot judge proceed (onInconclusive: 'continue'): these tasks take traffic unchecked.";
}
