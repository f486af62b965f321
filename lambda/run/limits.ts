/**
 * What a run must fit in: Step Functions' state size and the time one execution may take.
 * The discover step plans by these numbers, and the CDK construct builds the state machine
 * from the same ones, so the two cannot drift apart.
 */
import { phaseEvidence } from '../probe/phase-result';
import type { PhaseName, PhaseResult, ProbeResult, SocketRecord } from '../probe/types';
import { printable } from '../shared/printable';
import type { InlineRun } from './types';

/** Step Functions' limit on a state's input or output: 256 KiB of UTF-8. */
export const STATE_LIMIT_BYTES = 262_144;

/** What a run lets a state grow to: the limit, minus room for the fields Step Functions and publish add. */
export const STATE_BUDGET_BYTES = 240_000;

/**
 * The most one probe result may take in the state, as JSON, with its plan key.
 *
 * Why 4,096: a Distributed Map batch of 47 targets returns 47 results in one child output,
 * which must stay under the limit too (47 x 4,096 = 192,512 bytes).
 */
export const RESULT_MAX_BYTES = 4_096;

/**
 * What a caught shard failure may take: Step Functions passes an error's `Cause` of up to
 * 32,768 characters, which replaces the shard's results in the state.
 */
export const FAILURE_MAX_BYTES = 32_768 + 256;

/** Longest string a compacted result keeps (server hints, error messages, reasons). */
const COMPACT_STRING = 160;

/** Bytes of a value as Step Functions counts them: its JSON in UTF-8. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The result within `RESULT_MAX_BYTES`: unchanged when it fits; else its long strings are
 * shortened, and if that is not enough socket records are dropped one at a time, the least
 * telling first (`socketsOmitted` counts them). Limits, verdicts, reasons and each phase's
 * `evidence` are kept: only what a report draws is thinned, so a verdict made from the compact
 * result is the one made from the full result.
 *
 * Why one at a time: a sweep's staggered sockets make 20 or more records a phase, and the
 * report's picture is still worth most of them.
 *
 * @example
 * compactResult(result, 'k'); // the same object for any ordinary result
 */
export function compactResult(result: ProbeResult, key: string, maxBytes = RESULT_MAX_BYTES): ProbeResult {
  const size = (r: ProbeResult) => jsonBytes({ key, result: r });
  if (size(result) <= maxBytes) return result;
  let compact = withEvidence(shortenStrings(result) as ProbeResult);
  const droppable = droppingOrder(compact);
  while (size(compact) > maxBytes && droppable.length > 0) {
    const { phase, socket } = droppable.shift()!;
    const current = compact.phases[phase]!;
    compact = {
      ...compact,
      phases: { ...compact.phases, [phase]: { ...current, sockets: current.sockets.filter((s) => s !== socket), socketsOmitted: (current.socketsOmitted ?? 0) + 1 } },
    };
  }
  return compact;
}

/** Every phase with its evidence, so that no record dropped afterwards is one a verdict needs. */
function withEvidence(result: ProbeResult): ProbeResult {
  const phases = Object.fromEntries(Object.entries(result.phases).map(([phase, measured]) => [phase, { ...measured, evidence: phaseEvidence(measured!) }]));
  return { ...result, phases };
}

/**
 * Socket records in the order they are given up: unused and released sockets first, then
 * the rest, and last those whose idle is the bracket's own end (the evidence of the limit).
 */
function droppingOrder(result: ProbeResult): Array<{ phase: PhaseName; socket: SocketRecord }> {
  const weight = (phase: PhaseResult, socket: SocketRecord): number => {
    if (socket.idleS !== null && (socket.idleS === phase.survivedS || socket.idleS === phase.limitS)) return 2;
    return socket.outcome === 'unsent' || socket.outcome === 'held' ? 0 : 1;
  };
  return Object.entries(result.phases)
    .flatMap(([phase, result]) => result!.sockets.map((socket) => ({ phase: phase as PhaseName, socket, weight: weight(result!, socket) })))
    .sort((a, b) => a.weight - b.weight)
    .map(({ phase, socket }) => ({ phase, socket }));
}

function shortenStrings(value: unknown): unknown {
  if (typeof value === 'string') return printable(value, COMPACT_STRING);
  if (Array.isArray(value)) return value.map(shortenStrings);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortenStrings(v)]));
  return value;
}

/**
 * The largest the inline state can grow to: the discover output plus, per shard, its
 * results at their maximum size or its failure, whichever is larger, and per long probe a
 * failure (its results come back through S3).
 *
 * Why an upper bound and not a guess: `States.DataLimitExceeded` cannot be caught; a run
 * that might exceed the limit must go through S3 from the start.
 */
export function inlineStateBound(run: InlineRun): number {
  const shardOutcomes = run.shards.map((shard) => {
    const envelope = jsonBytes({ runId: shard.runId, shardId: shard.shardId, vpcId: shard.vpcId, results: [] }) + 1;
    return Math.max(envelope + shard.items.length * (RESULT_MAX_BYTES + 1), FAILURE_MAX_BYTES);
  });
  // Each long probe's outcome comes back into the state too: at most a caught failure.
  const longOutcomes = (run.long ?? []).length * FAILURE_MAX_BYTES;
  return jsonBytes(run) + jsonBytes({ shardResults: [] }) + shardOutcomes.reduce((sum, bytes) => sum + bytes, 0) + longOutcomes;
}

/**
 * Probe task rounds one execution holds, each at most one probe invocation long: the state
 * machine's timeout is made of them, and discover probes no more backends per VPC than fit.
 */
export const PROBE_WAVES = 3;

/** Minutes a discover, a probe and a publish invocation may take (Lambda timeouts). */
export const STEP_MINUTES = { discover: 15, probe: 15, publish: 5 } as const;

/** Seconds the probe handler keeps free at the end of an invocation: to return results and for the runtime. */
export const PROBE_RESERVE_S = 10;

/** Minutes a probe task may wait for its invocation: the function's timeout plus a minute. */
export const PROBE_TASK_MINUTES = STEP_MINUTES.probe + 1;

/**
 * The execution's timeout: discover, `PROBE_WAVES` rounds of probe tasks, publish, and ten
 * minutes for retries and transitions.
 */
export const RUN_TIMEOUT_MINUTES = STEP_MINUTES.discover + PROBE_WAVES * PROBE_TASK_MINUTES + STEP_MINUTES.publish + 10;

/** Backends one VPC's probes can take in one run: `PROBE_WAVES` rounds of `maxConcurrency` invocations. */
export const backendsPerRun = (maxConcurrency: number, targetsPerInvocation: number) => PROBE_WAVES * maxConcurrency * targetsPerInvocation;

/**
 * The timeout of a run that may start a long-horizon probe on ECS Fargate: the longest period
 * the alarms allow (90 minutes, lib/schedule.ts) less one, so that with the schedule such a
 * stack must have, a run has always ended when the next one starts (one run at a time).
 */
export const LONG_RUN_TIMEOUT_MINUTES = 89;

/** Seconds a Fargate task may take to be placed, pull its image and start its process. */
export const LONG_TASK_START_S = 180;

/** Seconds after probing for the task to write its result and stop, and for the state transitions. */
export const LONG_TASK_END_S = 60;

/**
 * The long probe's time budget (what its longest target's worst case needs, within what is
 * left of the run once publish is kept room for) and its task's timeout.
 *
 * Why from the run's start: discover's own time varies with the account; what it took is
 * taken from the probe, never from publish. A budget shorter than a horizon caps it, and the
 * engine reports the backend `inconclusive` with the reason.
 *
 * @example
 * longProbeTime(4035, Date.parse(start), Date.parse(start) + 60_000); // { budgetS: 4035, timeoutS: 4275 }
 */
export function longProbeTime(worstCaseS: number, runStartedMs: number, nowMs: number): { budgetS: number; timeoutS: number } {
  const leftS = LONG_RUN_TIMEOUT_MINUTES * 60 - (nowMs - runStartedMs) / 1000 - STEP_MINUTES.publish * 60 - LONG_TASK_START_S - LONG_TASK_END_S;
  const budgetS = Math.max(1, Math.floor(Math.min(worstCaseS, leftS)));
  return { budgetS, timeoutS: budgetS + LONG_TASK_START_S + LONG_TASK_END_S };
}
