/**
 * The gate's report: what a person reads after a deployment was stopped (or let through), and
 * what a tool reads (`idle-canary/gates/RUN.json`, see docs/CONTRACTS.md).
 *
 * Pure: from the run and its judgement to the JSON and a short Markdown page.
 */
import type { LoadBalancerVerdict } from '../judge';
import type { Verdict } from '../probe';
import { subjectName, type GateJudgement } from './outcome';
import type { GateRun, GateSubject, HookStatus, OnInconclusive } from './types';

/** The report file of one gate run. */
export interface GateReportJson {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly subject: GateSubject;
  readonly verdict: Verdict;
  readonly hookStatus: HookStatus;
  readonly onInconclusive: OnInconclusive;
  readonly reason: string;
  readonly loadBalancers: readonly LoadBalancerVerdict[];
}

/**
 * The report of a judged gate run.
 *
 * @example
 * gateReport(run, judgement, { onInconclusive: 'fail', finishedAt: new Date() }).markdown; // '# idle-canary gate: FAILED ...'
 */
export function gateReport(run: GateRun, judgement: GateJudgement, context: { readonly onInconclusive: OnInconclusive; readonly finishedAt: Date }): { json: GateReportJson; markdown: string } {
  const json: GateReportJson = {
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt: context.finishedAt.toISOString(),
    subject: run.subject,
    verdict: judgement.verdict,
    hookStatus: judgement.hookStatus,
    onInconclusive: context.onInconclusive,
    reason: judgement.reason,
    loadBalancers: judgement.loadBalancers,
  };
  const rows = judgement.loadBalancers.flatMap((lb) =>
    lb.backends.map((b) => `| ${lb.name} | ${lb.idleTimeoutS ?? '?'} s | ${b.id} | ${b.phases.preRequest ?? '-'} | ${b.phases.keepAlive ?? '-'} | ${b.verdict} |`),
  );
  const markdown = [
    `# idle-canary gate: ${judgement.hookStatus}`,
    '',
    `${subjectName(run.subject)}, run ${run.runId}, verdict **${judgement.verdict}**.`,
    '',
    judgement.reason,
    '',
    ...(rows.length > 0 ? ['| load balancer | idle timeout | task | before the first request | between requests | verdict |', '|---|---|---|---|---|---|', ...rows, ''] : []),
  ].join('\n');
  return { json, markdown };
}
