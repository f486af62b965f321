/**
 * What changed since the previous run: new failures, recoveries, limits that moved.
 *
 * Pure, so that "the run after an upgrade says what changed" is tested exactly.
 */
import { toleratedS, type LoadBalancerVerdict, type PhaseVerdict } from '../judge';
import type { PhaseName, Verdict } from '../probe';
import { fmt, label } from './advice';
import { linkLines, type RunLinks } from './console-links';
import type { ScanReport } from './scan';
import { hangupsSentence, loadBalancerKey, shownName } from './view';

/** A limit moves when it changes by more than this many seconds... */
export const MOVE_ABSOLUTE_S = 1;
/** ...and by more than this fraction of its previous value. */
export const MOVE_RELATIVE = 0.1;

/** What a run said of one phase of one load balancer. */
export interface PhaseState {
  readonly verdict: Verdict;
  /** The measured limit, or the longest idle survived (then `atLeast`); `null` when nothing was measured. */
  readonly limitS: number | null;
  readonly atLeast: boolean;
  /** When the run finished. */
  readonly at: string;
}

/** One load balancer phase that changed between two runs. */
export interface Change {
  /** The load balancer's name as the report shows it: with its type when another has the same name. */
  readonly loadBalancer: string;
  readonly type: LoadBalancerVerdict['type'];
  readonly phase: PhaseName;
  readonly before: PhaseState;
  readonly after: PhaseState;
  /** Backends failing now. */
  readonly failingBackends: readonly string[];
  readonly kind: 'new-failure' | 'recovery' | 'verdict' | 'limit';
}

/**
 * Compares two runs, per load balancer (by type and name: `loadBalancerKey`) and phase: a verdict
 * that changed, or a limit that moved by more than 1 s and 10 %. Load balancers new in this run
 * are not changes.
 *
 * @example
 * compareRuns(previous, current); // [{ loadBalancer: 'k8s-web', phase: 'preRequest', kind: 'new-failure', before: { limitS: 66, atLeast: true, ... }, after: { limitS: 40.3, ... } }]
 */
export function compareRuns(previous: ScanReport | null, current: ScanReport): Change[] {
  if (previous === null) return [];
  const before = new Map(previous.loadBalancers.map((lb) => [loadBalancerKey(lb), lb]));
  return current.loadBalancers.flatMap((lb) => {
    const old = before.get(loadBalancerKey(lb));
    if (old === undefined) return [];
    return (Object.keys(lb.phases) as PhaseName[]).flatMap((phase): Change[] => {
      const was = old.phases[phase];
      if (was === undefined) return [];
      const then = stateOf(was, previous.finishedAt);
      const now = stateOf(lb.phases[phase]!, current.finishedAt);
      const kind = kindOf(then, now);
      return kind === null ? [] : [{ loadBalancer: shownName(current, lb), type: lb.type, phase, before: then, after: now, failingBackends: lb.phases[phase]!.failingBackends, kind }];
    });
  });
}

function stateOf(phase: PhaseVerdict, at: string): PhaseState {
  const boundS = toleratedS(phase);
  return { verdict: phase.verdict, limitS: boundS, atLeast: phase.limitS === null && boundS !== null, at };
}

function kindOf(before: PhaseState, after: PhaseState): Change['kind'] | null {
  if (before.verdict !== after.verdict) {
    if (after.verdict === 'fail') return 'new-failure';
    if (before.verdict === 'fail' && after.verdict === 'pass') return 'recovery';
    return 'verdict';
  }
  if (before.limitS === null || after.limitS === null) return null;
  // "at least 66 s" and "at least 66 s" are the same; a bound that became a limit is a move.
  const delta = Math.abs(after.limitS - before.limitS);
  const moved = delta > MOVE_ABSOLUTE_S && delta > MOVE_RELATIVE * before.limitS;
  return moved || (before.atLeast !== after.atLeast && delta > MOVE_ABSOLUTE_S) ? 'limit' : null;
}

/** An SNS notification: subject and plain-text body. */
export interface Notification {
  readonly subject: string;
  readonly message: string;
}

/**
 * The notification of a run's changes; `null` when nothing changed (nothing is sent).
 *
 * @example
 * changeNotification(changes, current, reportLinks('reports', 'idle-canary/', 'run-1', current));
 */
export function changeNotification(changes: readonly Change[], current: ScanReport, links: RunLinks): Notification | null {
  if (changes.length === 0) return null;
  const failing = current.loadBalancers.filter((lb) => lb.verdict === 'fail').length;
  const subject = `idle-canary ${current.region}: ${changes.length} change${changes.length === 1 ? '' : 's'}, ${failing} load balancer${failing === 1 ? '' : 's'} failing`;
  const { before, after } = changes[0];
  const lines = [
    `idle-canary ${current.region}: ${changes.length} change${changes.length === 1 ? '' : 's'} since the last run (${before.at} -> ${after.at}).`,
    '',
    ...changes.map(describeChange),
    ...current.loadBalancers.filter((lb) => lb.verdict === 'fail').flatMap((lb) => {
      const sentence = hangupsSentence(current, lb);
      return sentence === null ? [] : [`${shownName(current, lb)}: ${sentence}`];
    }),
    '',
    ...linkLines(links),
  ];
  return { subject: subject.slice(0, 100), message: lines.join('\n') };
}

function describeChange(change: Change): string {
  const limit = (state: PhaseState) => (state.limitS === null ? 'not measured' : `${state.atLeast ? 'at least ' : ''}${fmt(state.limitS)} s`);
  const verdicts = change.before.verdict === change.after.verdict ? `still ${change.after.verdict}` : `was ${change.before.verdict}, now ${change.after.verdict}`;
  const backends = change.failingBackends.length > 0 ? `; failing backends: ${change.failingBackends.join(', ')}` : '';
  const tag = { 'new-failure': 'NEW FAILURE', recovery: 'RECOVERED', verdict: 'CHANGED', limit: 'LIMIT MOVED' }[change.kind];
  return `${tag} ${change.loadBalancer}: the limit ${label(change.phase)} went from ${limit(change.before)} to ${limit(change.after)} (${verdicts})${backends}`;
}
