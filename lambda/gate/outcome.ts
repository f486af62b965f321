/**
 * A gate run's verdict and the deployment system's answer, in words a person can act on: which
 * task, which phase, the measured limit, the load balancer's timeout and the fix.
 *
 * Pure: from the run and the probe's results to the outcome; the judge and the advice are the
 * monitor's own, so the gate and the monitor never disagree on the same measurement.
 */
import { judgedProbe, judgeLoadBalancers, type LoadBalancerVerdict } from '../judge';
import { toProbePlan } from '../discovery/plan';
import { worstVerdict, type Verdict } from '../probe';
import { adviseTarget } from '../report/advice';
import type { ShardFailure, ShardResult } from '../run/types';
import { printable } from '../shared/printable';
import { MAX_REASON_CHARS } from './settings';
import { hookStatusOf, inconclusiveSetting } from './answer';
import type { GateRun, GateSubject, HookStatus, OnInconclusive } from './types';

/** Backends whose advice the reason spells out; the report holds every one. */
const ADVISED_BACKENDS = 3;

/** The outcome before the report is written: its verdict, answer and reason, and the verdicts per load balancer. */
export interface GateJudgement {
  readonly verdict: Verdict;
  readonly hookStatus: HookStatus;
  readonly reason: string;
  readonly loadBalancers: readonly LoadBalancerVerdict[];
}

/** How the gate judges: what an inconclusive run answers, and the margin of load balancers without the tag. */
export interface GateJudgeSettings {
  readonly onInconclusive: OnInconclusive;
  readonly marginS: number;
}

/**
 * Judges a gate run: every replacement task against every production load balancer in front of
 * it (its idle timeout and `idle-canary:margin`), by the monitor's judge. Nothing probed, or a
 * probe that failed, is `inconclusive`; `onInconclusive` says what the deployment then gets.
 *
 * @example
 * judgeGate(run, shardResult, { onInconclusive: 'fail', marginS: 1 });
 * // { verdict: 'fail', hookStatus: 'FAILED', reason: 'idle-canary gate FAILED: ...', loadBalancers: [...] }
 */
export function judgeGate(run: GateRun, probed: ShardResult | ShardFailure | undefined, settings: GateJudgeSettings): GateJudgement {
  const { onInconclusive } = settings;
  if (run.mode === 'none' || probed === undefined || 'error' in probed) {
    const why = run.problem ?? (probed !== undefined && 'error' in probed ? `the probe failed (${probed.error.Error ?? 'error'}: ${probed.error.Cause ?? 'no cause given'})` : 'the probe returned no result');
    return answer('inconclusive', [why], run.subject, onInconclusive, []);
  }
  const plan = toProbePlan(run.loadBalancers);
  const byKey = new Map(probed.results.map(({ key, result }) => [key, result]));
  const loadBalancers = judgeLoadBalancers(run.loadBalancers, plan, plan.map((item) => byKey.get(item.key)), { marginS: settings.marginS });
  const verdict = worstVerdict(loadBalancers.map((lb) => lb.verdict));
  const lines = loadBalancers.flatMap((lb) => {
    const worst = lb.backends.filter((b) => b.verdict === lb.verdict);
    const head = `load balancer ${lb.name} (idle timeout ${lb.idleTimeoutS} s, margin ${lb.marginS} s), ${lb.backends.length} replacement task${lb.backends.length === 1 ? '' : 's'} probed: ${lb.verdict}`;
    const advice = worst.slice(0, ADVISED_BACKENDS).map((b) => adviseTarget(judgedProbe(lb, b)));
    const more = worst.length > ADVISED_BACKENDS ? [`and ${worst.length - ADVISED_BACKENDS} more tasks alike (see the report)`] : [];
    const missing = lb.probeErrors > 0 && worst.length === 0 ? [`${lb.probeErrors} task(s) could not be probed`] : [];
    return [head, ...advice, ...more, ...missing];
  });
  return answer(verdict, lines, run.subject, onInconclusive, loadBalancers);
}

function answer(verdict: Verdict, lines: readonly string[], subject: GateSubject, onInconclusive: OnInconclusive, loadBalancers: readonly LoadBalancerVerdict[]): GateJudgement {
  const hookStatus = hookStatusOf(verdict, onInconclusive);
  const what = `${subjectName(subject)}: ${verdictWords(verdict)}`;
  const setting = verdict === 'inconclusive' ? ` ${inconclusiveSetting(onInconclusive)}` : '';
  const body = lines.join(' | ');
  const reason = printable(`idle-canary gate ${hookStatus}: ${what}. ${body}${body.endsWith('.') ? '' : '.'}${setting}`, MAX_REASON_CHARS);
  return { verdict, hookStatus, reason, loadBalancers };
}

function verdictWords(verdict: Verdict): string {
  if (verdict === 'fail') return 'the replacement tasks drop idle connections before the production load balancer does';
  if (verdict === 'pass') return 'the replacement tasks outlast the production load balancer idle timeout in both phases';
  return 'inconclusive, the replacement tasks could not be judged';
}

/** The deployment in a few words: the service (or CodeDeploy deployment) and the stage. */
export function subjectName(subject: GateSubject): string {
  if (subject.system === 'codedeploy') return `CodeDeploy deployment ${subject.deploymentId}${subject.lifecycleEvent ? ` at ${subject.lifecycleEvent}` : ''}`;
  const service = subject.serviceArn.split('/').slice(-2).join('/');
  return `ECS service ${service} revision ${subject.targetServiceRevisionArn.split('/').pop()} at ${subject.lifecycleStage}`;
}
