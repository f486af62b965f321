/**
 * Runs one phase of one target on real sockets: a passive socket, a first round of active
 * sockets, and a chain of narrowing sockets once a lazy limit shows.
 *
 * The decisions (which idles, when to open) come from `plan.ts` and `phase-result.ts`; this
 * module only holds sockets, waits and records.
 */
import { ConnectError, ProbeConnection, now, type Endpoint, type RequestOutcome, type ServerClose } from './connection';
import { narrowingScheduleS, needsNarrowing, nextNarrowingIdleS, roundS, type Bracket } from './plan';
import { currentBracket } from './phase-result';
import { neverAccepted, notAcceptedRecord } from './accept';
import type { PhaseName, SocketRecord } from './types';

/** A connection that is idle since a known moment. */
export interface IdleConnection {
  readonly connection: ProbeConnection;
  /** `performance.now()` ms: connect (pre-request) or the end of the first response (keep-alive). */
  readonly idleSince: number;
}

/** The run-wide services a phase uses: socket accounting and timing. */
export interface RunServices {
  /** Called for every connection opened, so that the run can close all of them. */
  track(connection: ProbeConnection): void;
  /** The longest the event loop has been late so far, in seconds. */
  lagS(): number;
  /** Records how late a planned send went out, in milliseconds. */
  noteLateness(ms: number): void;
}

export interface PhaseSettings {
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly segmentPauseMs: number;
  readonly precisionS: number;
}

/** Everything one phase run needs. */
export interface PhaseRun {
  readonly phase: PhaseName;
  readonly endpoint: Endpoint;
  readonly segments: readonly string[];
  readonly horizonS: number;
  /** Planned idles of the first round of active sockets. */
  readonly roundOneS: readonly number[];
  /** An already idle connection to use as the passive socket (keep-alive: the first probe's). */
  readonly passive?: IdleConnection;
  /** Takes up to `wanted` sockets from the target's narrowing reserve; returns how many it got. */
  readonly takeNarrowingSockets: (wanted: number) => number;
  /** `performance.now()` ms after which no socket is opened or held. */
  readonly deadline: number;
  /** Aborted when the target must stop (deadline, run aborted). */
  readonly signal: AbortSignal;
  readonly settings: PhaseSettings;
  readonly services: RunServices;
  readonly onSocket: (record: SocketRecord) => void;
}

type Measurement = Pick<SocketRecord, 'outcome' | 'idleS' | 'unprompted' | 'closedWith' | 'status' | 'error' | 'notAccepted' | 'silent'>;

/**
 * Runs a phase to its end (or until aborted) and returns every socket's record.
 */
export async function runPhase(run: PhaseRun): Promise<SocketRecord[]> {
  const records: SocketRecord[] = [];
  const tasks: Promise<void>[] = [];
  let narrowing = false;

  const record = (entry: SocketRecord): void => {
    records.push(entry);
    run.onSocket(entry);
    if (narrowing || run.signal.aborted) return;
    const bracket = currentBracket(records, run.services.lagS());
    if (bracket === null || !needsNarrowing(bracket, run.settings.precisionS)) return;
    const wanted = narrowingScheduleS(bracket.failedS - bracket.survivedS, run.settings.precisionS, Number.POSITIVE_INFINITY);
    const schedule = wanted.slice(0, run.takeNarrowingSockets(wanted.length));
    if (schedule.length === 0) return;
    narrowing = true;
    tasks.push(narrow(run, schedule, records, record).finally(() => (narrowing = false)));
  };

  const fixed = async (role: SocketRecord['role'], plannedIdleS: number, given?: IdleConnection): Promise<void> => {
    const idle = given ?? (await openIdle(run));
    const base = { role, round: 1, plannedIdleS };
    if ('error' in idle) return record({ ...base, ...UNSENT, ...idle });
    const measured = await holdAndSend(idle, plannedIdleS, run);
    if (measured !== null) record({ ...base, ...measured });
  };

  tasks.push(fixed('passive', run.horizonS, run.passive));
  for (const idleS of run.roundOneS) tasks.push(fixed('active', idleS));

  // Narrowing adds tasks while the first ones run: wait until no new one appears.
  for (let settled = 0; settled < tasks.length; ) {
    const batch = tasks.length;
    await Promise.all(tasks);
    settled = batch;
  }
  return records;
}

const UNSENT: Measurement = { outcome: 'unsent', idleS: null, unprompted: false, closedWith: null, status: null };

/**
 * Bisects a lazy bracket with sockets opened on `narrowingScheduleS`'s schedule, so that each
 * is ready, idle exactly as long as needed, when the previous answer comes.
 */
async function narrow(
  run: PhaseRun,
  scheduleS: readonly number[],
  records: SocketRecord[],
  record: (entry: SocketRecord) => void,
): Promise<void> {
  const start = now();
  const sockets = scheduleS.map((offsetS) => openLater(run, start + offsetS * 1000));
  for (const [index, pending] of sockets.entries()) {
    const idle = await pending;
    if (idle === null || 'error' in idle) continue;
    const testS = narrowingTestS(currentBracket(records, run.services.lagS()), idle, run);
    if (testS === null) {
      idle.connection.destroy();
      continue;
    }
    const measured = await holdAndSend(idle, testS, run);
    if (measured === null) break;
    record({ role: 'active', round: index + 2, plannedIdleS: testS, ...measured });
  }
  // Sockets not used (aborted, or the bracket was narrow early) are closed, not leaked.
  for (const pending of sockets) void pending.then((idle) => idle !== null && !('error' in idle) && idle.connection.destroy());
}

/**
 * The idle a narrowing socket should test now, or `null` when it is of no use: the bracket is
 * narrow enough, the socket is already older than the bracket, or its test would end after
 * the deadline.
 */
function narrowingTestS(bracket: Bracket | null, idle: IdleConnection, run: PhaseRun): number | null {
  if (bracket === null || !needsNarrowing(bracket, run.settings.precisionS)) return null;
  const testS = roundS(Math.max(nextNarrowingIdleS(bracket), (now() - idle.idleSince) / 1000));
  return testS >= bracket.failedS || idle.idleSince + testS * 1000 > run.deadline ? null : testS;
}

type OpenedIdle = IdleConnection | { readonly error: string; readonly notAccepted?: true };

async function openLater(run: PhaseRun, at: number): Promise<OpenedIdle | null> {
  return (await waitUntil(at, run.signal)) ? openIdle(run) : null;
}

/**
 * Opens a connection and brings it to its idle start: connected (pre-request), or with a
 * first request answered (keep-alive).
 */
async function openIdle(run: PhaseRun): Promise<OpenedIdle> {
  try {
    const connection = await ProbeConnection.open(run.endpoint, {
      connectTimeoutMs: run.settings.connectTimeoutMs,
      signal: run.signal,
    });
    run.services.track(connection);
    if (run.phase === 'preRequest') return { connection, idleSince: connection.connectedAt };
    const first = await connection.request(run.segments, run.settings.segmentPauseMs, run.settings.responseTimeoutMs);
    if (first.kind === 'response') return { connection, idleSince: first.answeredAt };
    connection.destroy();
    if (first.kind === 'closed' && neverAccepted(first.close)) return notAcceptedRecord(`the first request got no response (${describe(first)})`);
    return { error: `the first request got no response (${describe(first)})` };
  } catch (error) {
    // A connect that had not completed when the deadline came was not accepted in time either.
    if (error instanceof ConnectError && (error.code === 'connect-timeout' || run.signal.aborted)) return notAcceptedRecord(error.message);
    return { error: error instanceof ConnectError ? error.message : String(error) };
  }
}

/**
 * Holds an idle connection until `idleS`, then sends the request; or records the server's
 * own close if it comes first. Returns `null` when the phase was aborted meanwhile.
 */
async function holdAndSend(idle: IdleConnection, idleS: number, run: PhaseRun): Promise<Measurement | null> {
  const { connection, idleSince } = idle;
  try {
    const plannedAt = idleSince + idleS * 1000;
    // Stop waiting as soon as the server closes, so that no timer outlives its socket.
    const serverClosed = new AbortController();
    void connection.ended.then(() => serverClosed.abort());
    const reached = await waitUntil(plannedAt, AbortSignal.any([run.signal, serverClosed.signal]));
    if (run.signal.aborted) return null;
    if (!reached) {
      const close = await connection.ended;
      return closed(close, idleSince, close.at);
    }
    run.services.noteLateness(now() - plannedAt);
    const outcome = await connection.request(run.segments, run.settings.segmentPauseMs, run.settings.responseTimeoutMs);
    // A request the server never answered on a connection it never spoke on is doubt, even when the deadline cut it.
    if (run.signal.aborted) return outcome.kind === 'closed' && neverAccepted(outcome.close) ? measurementOf(outcome, idleSince) : null;
    return measurementOf(outcome, idleSince);
  } finally {
    connection.destroy();
  }
}

function measurementOf(outcome: RequestOutcome, idleSince: number): Measurement {
  switch (outcome.kind) {
    case 'response':
      return { outcome: 'response', idleS: secondsSince(idleSince, outcome.sentAt), unprompted: false, closedWith: null, status: outcome.head.status };
    case 'closed':
      if (neverAccepted(outcome.close)) return notAcceptedRecord(`no answer to a request on a fresh connection (${describe(outcome)})`);
      return closed(outcome.close, idleSince, outcome.close.unprompted ? outcome.close.at : outcome.sentAt);
    case 'invalid':
      return { outcome: 'closed', idleS: secondsSince(idleSince, outcome.sentAt), unprompted: false, closedWith: 'http-other', status: null };
  }
}

function closed(close: ServerClose, idleSince: number, at: number): Measurement {
  return { outcome: 'closed', idleS: secondsSince(idleSince, at), unprompted: close.unprompted, closedWith: close.closedWith, status: close.status, ...(close.silent ? { silent: true } : {}) };
}

function describe(outcome: RequestOutcome): string {
  if (outcome.kind === 'closed') return `closed with ${outcome.close.closedWith}`;
  if (outcome.kind === 'invalid') return outcome.reason;
  return `status ${outcome.head.status}`;
}

function secondsSince(since: number, at: number): number {
  return Math.max(0, roundS((at - since) / 1000));
}

/** Resolves `true` at `at` (`performance.now()` ms), or `false` as soon as `signal` aborts. */
export function waitUntil(at: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    let timer: NodeJS.Timeout;
    // Timers run on the event loop's millisecond clock and may fire up to 1 ms early: re-arm.
    const arm = () => {
      const remaining = at - now();
      if (remaining > 0) {
        timer = setTimeout(arm, Math.ceil(remaining));
        return;
      }
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    arm();
  });
}
