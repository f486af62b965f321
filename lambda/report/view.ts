/**
 * What every rendering of a run shares: the order load balancers are shown in, which backend
 * speaks for a load balancer, and how a phase's limit reads.
 */
import { phaseBoundS, type BackendVerdict, type LoadBalancerVerdict } from '../judge';
import type { PhaseName, Verdict } from '../probe';
import { fmt } from './advice';

const ORDER: Readonly<Record<Verdict, number>> = { fail: 0, inconclusive: 1, pass: 2 };

/** Failing first, then inconclusive, then passing; by name within each. */
export function byVerdict(loadBalancers: readonly LoadBalancerVerdict[]): LoadBalancerVerdict[] {
  return [...loadBalancers].sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || a.name.localeCompare(b.name));
}

/** The backend whose advice a load balancer needs: a failing one, else one that could not be probed. */
export function worstBackend(lb: LoadBalancerVerdict): BackendVerdict | undefined {
  return lb.backends.find((b) => b.verdict === 'fail') ?? lb.backends.find((b) => b.probe.error !== undefined);
}

/**
 * The limit of a phase as people read it: `40.3 s`, `≥ 66.0 s` when nothing failed up to the
 * horizon, `-` when nothing was measured.
 */
export function limitText(lb: LoadBalancerVerdict, phase: PhaseName): string {
  const p = lb.phases[phase];
  const boundS = p === undefined ? null : phaseBoundS(p, lb.idleTimeoutS);
  return boundS === null ? '-' : `${p!.limitS === null ? '≥ ' : ''}${fmt(boundS)} s`;
}
