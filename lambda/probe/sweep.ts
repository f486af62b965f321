/**
 * Periodic enforcement: servers that close idle connections in sweeps rather than on each
 * connection's own timer, told apart and measured as a threshold.
 *
 * Pure: from what staggered sockets saw to a bracket, so that the arithmetic every alarm
 * depends on is tested exactly.
 */
import { COARSE_TICK_S, roundS } from './plan';
import type { SocketRecord } from './types';

/** One socket's idle on the phase's time axis, in seconds from the phase's first socket. */
export interface IdleSpan {
  /** When the idle began (connect, or the end of the first response). */
  readonly openedS: number;
  /** When the idle ended: the server's close, the request sent, or the socket released (or now, while open). */
  readonly endS: number;
  /** `true` when the idle ended with a close of the server's own. */
  readonly closedByServer: boolean;
  /** `true` when the idle ended with a request the server answered. */
  readonly answered?: boolean;
  /** `true` when the idle ended with a request the server closed the connection on, unanswered. */
  readonly refused?: boolean;
}

/**
 * What the closes say about the server's enforcement.
 *
 * - `none`: nothing was closed while idle.
 * - `per-connection`: closes follow each connection's own timer (a close at a fixed idle).
 * - `periodic`: closes come in sweeps; `failedS` / `survivedS` bracket the threshold.
 * - `undecided`: one close so far, nothing yet tells the two apart.
 */
export type SweepAnalysis =
  | { readonly kind: 'none' | 'per-connection' | 'undecided' }
  | {
      readonly kind: 'periodic';
      /** The shortest idle seen closed by a sweep: the threshold is below it. */
      readonly failedS: number;
      /**
       * The longest idle seen to survive a sweep: the threshold is at least this; `null` when no
       * socket survived one, or when the closes come from several schedules (a socket older than
       * one a sweep closed outlived it: worker processes that each sweep at their own moments).
       */
      readonly survivedS: number | null;
      /**
       * Interval between sweeps: observed when two sweeps were seen (`sweepsSeen` > 1),
       * otherwise only a lower bound, never 0: two sweeps are at least the tolerance apart.
       */
      readonly sweepS: number;
      readonly sweepsSeen: number;
      /** When the first sweep was seen, in seconds on the spans' time axis. */
      readonly firstSweepS: number;
      /** `several` when the closes come from several sweep schedules (worker processes that each sweep at their own moments): `survivedS` is then `null`. */
      readonly schedules: 'one' | 'several';
      /** When each sweep was seen (its first close read), earliest first, in seconds on the spans' time axis. */
      readonly sweepsAtS: readonly number[];
    };

/** What the closes say when they come in sweeps (`SweepAnalysis`). */
export type PeriodicAnalysis = Extract<SweepAnalysis, { readonly kind: 'periodic' }>;

/**
 * Reads the closes of staggered sockets.
 *
 * Why this tells sweeps apart: under a per-connection timer every socket closes at the same
 * idle, whenever it connected; under a sweep, sockets of different ages close at the same
 * instant, and a socket can stay idle past the idle at which another was closed. At each sweep
 * the server closes exactly the sockets older than its threshold, so the youngest socket
 * closed and the oldest that survived the same instant bracket the threshold, to within the
 * stagger between them, wherever the sweep fell. A socket survived a sweep when it stayed idle
 * past it by the tolerance, or when the server answered a request it sent after the sweep's first
 * close was read (`ANSWERED_AFTER_SWEEP_S`): that request reached the server after it swept.
 *
 * Why `lagS`: an event loop that ran late saw each idle's start and end up to that late, so
 * one timer's idles may differ by twice the lag, and closes due apart are seen at once at the
 * end of a stall. Ages are told apart only beyond the tolerance plus that (`ageSlackS`): on a
 * starved loop a 0.5 s keep-alive timer was read as a sweep "checked every 0.7 s".
 *
 * @example
 * // Sockets opened 2 s apart; a sweep at 75 s closes those opened at 0 to 14 s.
 * analyzeSweeps(spans, 0.05, 0.002); // { kind: 'periodic', failedS: 61, survivedS: 59, sweepS: 14, sweepsSeen: 1, firstSweepS: 75, sweepsAtS: [75], schedules: 'one' }
 */
export function analyzeSweeps(spans: readonly IdleSpan[], toleranceS: number, lagS = 0): SweepAnalysis {
  const closes = closesOf(spans);
  if (closes.length === 0) return { kind: 'none' };
  const sweeps = clusters(closes, toleranceS);
  const slackS = ageSlackS(toleranceS, lagS);
  const firstAgeS = Math.min(...closes.map(ageOf));
  const differentAgesAtOnce = sweeps.some((members) => spread(members.map((m) => m.openedS)) > slackS);
  // A per-connection timer would have closed every socket at the same idle: one idle past it refutes that.
  const outlived = spans.some((s) => !s.closedByServer && ageOf(s) > firstAgeS + slackS) || closes.some((s) => ageOf(s) > firstAgeS + slackS);
  if (differentAgesAtOnce || outlived) return periodic(spans, sweeps, toleranceS, lagS);
  const sameAgeApart = closes.length > 1 && spread(closes.map((s) => s.openedS)) > slackS;
  return { kind: sameAgeApart ? 'per-connection' : 'undecided' };
}

/**
 * How far apart two idles (or two connects) must be to differ, in seconds: the tolerance, plus
 * twice the event loop's lag (a late start and a late end), but at most three tolerances.
 *
 * Why at most three: the tolerance is a quarter of the stagger step (target.ts), so sockets a
 * whole step apart closed at once still read as a sweep however late the loop ran; a sweep
 * read as a timer would judge a threshold by one close's idle, and could pass it.
 *
 * @example
 * ageSlackS(0.125, 0.1); // 0.325
 * ageSlackS(0.125, 2);   // 0.375
 */
export function ageSlackS(toleranceS: number, lagS: number): number {
  return toleranceS + Math.min(2 * Math.max(0, lagS), 2 * toleranceS);
}

/**
 * How long past a sweep's last close, beyond the tolerance, the sockets still held have shown
 * themselves its survivors, in seconds: twice `RECORD_ROUNDING_S`, at most another tolerance.
 *
 * Why: `analyzeSweeps` counts a socket that outlived a sweep by more than the tolerance; its
 * record, rounded to the millisecond, must still show that once it is released. Why not a
 * whole second tolerance, as before: it held every swept target that much longer (a 7 s
 * threshold swept every second ended 0.106 s after the sweep past the horizon, not 0.063 s),
 * and guarded nothing the tolerance does not: closes of one sweep seen further apart are two
 * sweeps to `analyzeSweeps`. A close that came in time but was not yet read when the margin
 * ran out (a stalled event loop) is read before the survivors are counted (`phase.ts`).
 *
 * @example
 * survivalMarginS(0.053); // 0.01
 * survivalMarginS(0.004); // 0.004
 */
export function survivalMarginS(toleranceS: number): number {
  return Math.min(toleranceS, 2 * RECORD_ROUNDING_S);
}

/**
 * How long after a sweep's first close was read a request must show, in the records, that it
 * went out, for its answer to prove that its socket survived the sweep, in seconds.
 *
 * Why the answer proves it: a server sweeps in one pass, before any close of it is read here,
 * and a request sent after that read reaches it later still; a socket the sweep closed cannot
 * answer it. Why 3 ms: a span's end is its start plus its idle, each rounded to the
 * millisecond, so two ends lie within 2 ms of how far apart they happened; a request sent
 * before the read never shows 3 ms after it.
 */
export const ANSWERED_AFTER_SWEEP_S = 0.003;

/**
 * How long after a sweep past the horizon the probe asks the sockets it spared, past the pass
 * line, whether they survived it (`phase.ts`), in seconds: sent that late, each request shows
 * (`ANSWERED_AFTER_SWEEP_S`) that it went out after the sweep's first close was read, the
 * millisecond roundings of both records included.
 *
 * Why ask, not wait: a socket counts as a survivor by staying idle only once it outlived the
 * sweep by the tolerance (a late-read close of the same sweep must not pass for a survival),
 * and the benchmark's threshold past the horizon ended 63 ms after its sweep (1.15 horizons
 * for a goal of the horizon plus one interval, 1.14); an answer proves it within a round trip.
 */
export const CONFIRM_AFTER_SWEEP_S = ANSWERED_AFTER_SWEEP_S + 0.002;

/**
 * How far a span's end read from socket records may lie from the moment it stands for, in
 * seconds, with room to spare: its start and its idle are each rounded to the millisecond, and
 * so are a close's (at most 1.5 ms in all); five times that covers a timer that fired a few
 * milliseconds late.
 */
const RECORD_ROUNDING_S = 0.005;

/**
 * Whether the server's closes so far show a limit that depends on the moment each connection
 * was opened (a coarse clock): each came alone, at its own instant, from sockets opened at
 * least half a tick apart, and their idles differ by more than `noiseS` (what timers and the event
 * loop blur) but by no more than one tick.
 *
 * Why: a per-connection timer closes every connection at the same idle, and a sweep closes
 * several at once; a coarse clock closes one connection per tick (the sockets are opened
 * further apart than a tick) at an idle anywhere in the tick before its limit, by the
 * sub-second moment it connected. Its earliest close, the idle a load balancer's connection
 * may meet, shows only once the sockets opened at the other moments have closed too.
 *
 * @example
 * // Closed at 59.447 and 59.508 s of idle, 2 s apart: the idle depends on the connect.
 * dependsOnConnectMoment(spans, 0.5, 0.03); // true
 */
export function dependsOnConnectMoment(spans: readonly IdleSpan[], toleranceS: number, noiseS: number): boolean {
  const closes = closesOf(spans);
  if (closes.length < 2 || clusters(closes, toleranceS).some((members) => members.length > 1)) return false;
  // Sockets opened much closer than a tick share its closes: those a sweep's analysis reads.
  const opened = closes.map((s) => s.openedS).sort((a, b) => a - b);
  if (opened.some((openedS, i) => i > 0 && openedS - opened[i - 1] < COARSE_TICK_S / 2)) return false;
  const ageSpreadS = spread(closes.map(ageOf));
  return ageSpreadS > noiseS && ageSpreadS <= COARSE_TICK_S + noiseS;
}

/**
 * The idle spans of a phase's socket records, but the tick test's (`tickTestMomentS`).
 *
 * Why not the tick test's: it closes whole ticks after the passive socket by design, at another
 * idle, and the two read as sweeps "checked every 7 s" of a clock that ticks every second.
 *
 * @example
 * spansOf(phase.sockets); // one span per socket that idled
 */
export function spansOf(records: readonly SocketRecord[]): IdleSpan[] {
  return records.flatMap((r) =>
    r.openedS === undefined || r.idleS === null || r.outcome === 'unsent' || r.role === 'tick'
      ? []
      : [{ openedS: r.openedS, endS: r.openedS + r.idleS, closedByServer: r.outcome === 'closed' && r.unprompted, answered: r.outcome === 'response', refused: r.outcome === 'closed' && !r.unprompted }],
  );
}

function periodic(spans: readonly IdleSpan[], sweeps: readonly IdleSpan[][], toleranceS: number, lagS: number): SweepAnalysis {
  // The first close seen of a sweep is the nearest to when the server swept.
  const instants = sweeps.map((members) => Math.min(...members.map((m) => m.endS)));
  // A request that met a sweep's close on its way was closed by the sweep, at its idle then.
  const crossedAgesS = spans.flatMap((s) => {
    const atS = sweepCrossed(s, instants, toleranceS);
    return atS === undefined ? [] : [atS - s.openedS];
  });
  const failedS = Math.min(...sweeps.flat().map(ageOf), ...crossedAgesS);
  // A socket idle across a sweep, or answered after it, and younger than the youngest closed, survived it.
  const survivals = instants.flatMap((atS) => spans.flatMap((s) => (s.openedS < atS - toleranceS && outlived(s, atS, toleranceS) && atS - s.openedS < failedS - 1e-9 ? [atS - s.openedS] : [])));
  const gapsS = instants.slice(1).map((at, i) => at - instants[i]);
  const single = oneSchedule(spans, sweeps, instants, gapsS, failedS, toleranceS, lagS);
  return {
    kind: 'periodic',
    failedS: roundS(failedS),
    survivedS: single && survivals.length > 0 ? roundS(Math.max(...survivals)) : null,
    schedules: single ? 'one' : 'several',
    sweepS: roundS(gapsS.length > 0 ? Math.min(...gapsS) : Math.max(toleranceS, sweepLowerBoundS(spans, instants[0], failedS))),
    sweepsSeen: instants.length,
    firstSweepS: roundS(instants[0]),
    sweepsAtS: instants.map(roundS),
  };
}

/**
 * Whether a span outlived the sweep at `atS`: it stayed idle past it by `byS`, or the server
 * answered a request it sent after the sweep's first close was read (`ANSWERED_AFTER_SWEEP_S`).
 * Never a request closed unanswered: the sweep may have closed its socket, the close not read
 * when it went out (closes read 10 ms apart, a 3.5 s threshold passed behind 3 s with a 0.5 s margin).
 */
function outlived(span: IdleSpan, atS: number, byS: number): boolean {
  if (span.refused === true) return false;
  return span.endS > atS + byS || (span.answered === true && span.endS >= atS + ANSWERED_AFTER_SWEEP_S - 1e-9);
}

/**
 * Whether the closes come from one sweep schedule, which closes at each sweep every connection
 * past its threshold.
 *
 * Why: worker processes that each sweep at their own moments (Node.js cluster) close at one
 * worker's sweep only that worker's connections, and a survival of it says nothing of the
 * threshold of the worker that holds the socket: Node.js defaults in two workers 10 s apart
 * passed behind 60 s, survived 61.358 s at one worker's sweep, on real sockets. Two signs, each
 * beyond the ages' slack (a late read of a sweep's own close):
 * - a socket older than one a sweep closed outlived it;
 * - a close came more than the interval seen past the youngest close: its socket was past the
 *   threshold across a sweep of that interval (4 workers 0.7 s apart read as one schedule swept
 *   every 0.7 s, the passive socket closed 3.2 s past the youngest close, and passed). Only gaps
 *   wider than the slack are intervals here: a sweep whose closes a busy loop read further apart
 *   than the tolerance reads as two, a few hundredths of a second apart.
 */
function oneSchedule(spans: readonly IdleSpan[], sweeps: readonly IdleSpan[][], instants: readonly number[], gapsS: readonly number[], failedS: number, toleranceS: number, lagS: number): boolean {
  const slackS = ageSlackS(toleranceS, lagS);
  const intervalS = Math.min(Number.POSITIVE_INFINITY, ...gapsS.filter((gapS) => gapS > slackS));
  if (sweeps.flat().some((s) => ageOf(s) - failedS > intervalS + slackS)) return false;
  return sweeps.every((members, i) => {
    const atS = instants[i];
    const youngestS = Math.min(...members.map(ageOf));
    return !spans.some((s) => s.openedS < atS - toleranceS && atS - s.openedS > youngestS + slackS && outlived(s, atS, slackS));
  });
}

/**
 * With one sweep seen, how long the interval is at least: the oldest socket it closed was
 * already past the threshold for that long without a sweep, and a socket still idle past
 * the threshold saw no sweep until it ended.
 */
function sweepLowerBoundS(spans: readonly IdleSpan[], atS: number, failedS: number): number {
  const bounds = spans.flatMap((s) => {
    if (s.closedByServer) return [s.endS - s.openedS - failedS];
    return s.endS > atS && s.endS - s.openedS >= failedS ? [s.endS - atS] : [];
  });
  return Math.max(0, ...bounds);
}

/**
 * The records but the requests that met a sweep's close on their way, when the analysis shows
 * sweeps: those the server closed in answer to a request that went out after a sweep's first
 * close was read and within the tolerance after its last (two tolerances after its first).
 *
 * Why: a sweep's closes are read one socket at a time; a request sent after the first (a
 * survivor asked, `CONFIRM_AFTER_SWEEP_S`) may go out on a socket the same sweep closed, its
 * close not read yet. That close is the sweep's (`analyzeSweeps` counts it), no lazy check's:
 * read as one, a 66 s threshold (Node.js 20 tuned, on real sockets beside a whole `npm test`)
 * was reported `lazy`, and the bracket it gave started a narrowing chain that held the target
 * 66 s more.
 *
 * @example
 * exceptCrossings(phase.sockets, analyzeSweeps(spansOf(phase.sockets), 0.05), 0.05); // what a lazy check may have failed
 */
export function exceptCrossings(records: readonly SocketRecord[], analysis: SweepAnalysis, toleranceS: number): readonly SocketRecord[] {
  if (analysis.kind !== 'periodic') return records;
  return records.filter((record) => spansOf([record]).every((span) => sweepCrossed(span, analysis.sweepsAtS, toleranceS) === undefined));
}

/** The sweep (its instant) whose close a span's request met on its way (`exceptCrossings`), if any. */
function sweepCrossed(span: IdleSpan, instants: readonly number[], toleranceS: number): number | undefined {
  return span.refused === true ? instants.find((atS) => span.openedS < atS && span.endS >= atS && span.endS <= atS + 2 * toleranceS) : undefined;
}

/** The spans the server closed, earliest close first. */
function closesOf(spans: readonly IdleSpan[]): IdleSpan[] {
  return spans.filter((s) => s.closedByServer).sort((a, b) => a.endS - b.endS);
}

/** How long a span was idle, in seconds. */
function ageOf(span: IdleSpan): number {
  return span.endS - span.openedS;
}

/** Groups closes that happened within the tolerance of each other: one sweep each. */
function clusters(sorted: readonly IdleSpan[], toleranceS: number): IdleSpan[][] {
  const groups: IdleSpan[][] = [];
  for (const close of sorted) {
    const last = groups[groups.length - 1];
    if (last !== undefined && close.endS - last[0].endS <= toleranceS) last.push(close);
    else groups.push([close]);
  }
  return groups;
}

function spread(values: readonly number[]): number {
  return Math.max(...values) - Math.min(...values);
}
