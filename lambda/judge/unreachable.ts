/**
 * Backends the probe could not reach, explained before they are judged: those their security
 * groups keep out were not probed and get a result naming the rule to add; a connect timeout
 * says whether the security groups admit the probe (then the block is elsewhere).
 *
 * Why before the judge: the explanation then travels in the result (`error.message` and each
 * phase's `reason`), so the JSON, every report, the advice and the logs say the same.
 */
import { connectTimeoutDiagnosis, type Reachability } from '../discovery/reachability';
import { planKeyOf, toProbePlan } from '../discovery/plan';
import type { LoadBalancerPlan, ProbePlanItem } from '../discovery/types';
import { PHASE_NAMES, type PhaseResult, type ProbeResult } from '../probe';
import { defaultHorizonS } from '../probe/plan';
import { unstartedResult } from '../probe/target';
import type { LoadBalancerVerdict } from '.';

/**
 * The plan with the blocked backends added, and the results with theirs and with every connect
 * timeout explained.
 *
 * @example
 * const all = withReachability(discovery.loadBalancers, plan, results);
 * judgeLoadBalancers(discovery.loadBalancers, all.plan, all.results);
 */
export function withReachability(
  loadBalancers: readonly LoadBalancerPlan[],
  plan: readonly ProbePlanItem[],
  results: ReadonlyArray<ProbeResult | undefined>,
): { plan: ProbePlanItem[]; results: Array<ProbeResult | undefined> } {
  const reachabilityByKey = new Map(loadBalancers.flatMap((lb) => lb.backends.flatMap((b) => (b.reachability ? [[planKeyOf(b), b.reachability] as const] : []))));
  const blocked = toProbePlan(loadBalancers, 'blocked');
  return {
    plan: [...plan, ...blocked],
    results: [
      ...results.map((result, i) => (result?.error?.code === 'connect-timeout' ? explained(result, connectTimeoutDiagnosis(reachabilityByKey.get(plan[i].key), result.target.port)) : result)),
      ...blocked.map((item) => blockedResult(item, reachabilityByKey.get(item.key)!)),
    ],
  };
}

/** A backend not probed because its security groups keep the probe out: inconclusive, with the rule to add. */
function blockedResult(item: ProbePlanItem, reachability: Reachability): ProbeResult {
  const { job } = item;
  const result = unstartedResult(job, job.horizonS ?? defaultHorizonS(job.loadBalancerIdleTimeoutS), PHASE_NAMES, reachability.reason);
  return { ...result, error: { code: 'blocked', message: reachability.reason } };
}

/** The result with its error's message, and each phase's reason, followed by the diagnosis. */
function explained(result: ProbeResult, diagnosis: string): ProbeResult {
  const message = `${result.error!.message}: ${diagnosis}`;
  const phases = Object.fromEntries(Object.entries(result.phases).map(([name, phase]) => [name, { ...(phase as PhaseResult), reason: message }]));
  return { ...result, error: { ...result.error!, message }, phases };
}

/**
 * The backends the probe did not reach (kept out by their security groups, or a connect
 * timeout), each with its explanation: what the logs list.
 *
 * @example
 * unreachableBackends(verdicts); // [{ loadBalancer: 'web', backend: 'i-0a:80', reason: 'the probe cannot reach ... Add the rule: aws ec2 ...' }]
 */
export function unreachableBackends(verdicts: ReadonlyArray<Pick<LoadBalancerVerdict, 'name' | 'backends'>>): Array<{ loadBalancer: string; backend: string; reason: string }> {
  return verdicts.flatMap((lb) =>
    lb.backends.flatMap((b) => (b.probe.error?.code === 'blocked' || b.probe.error?.code === 'connect-timeout' ? [{ loadBalancer: lb.name, backend: b.id, reason: b.probe.error.message }] : [])),
  );
}
