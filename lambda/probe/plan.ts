/**
 * Planning of probe sockets: how long to hold them, how many per phase, which idle each tests.
 *
 * Pure functions, so that the plan can be tested exactly and the socket code only executes it.
 */
import type { PhaseName, ProtocolVersion } from './types';

/**
 * How long sockets are held by default: the load balancer idle timeout plus 10 %, at least 1 s.
 *
 * Why: the question is "does the backend outlast the load balancer?", so holding
 * slightly past its timeout answers it and a margin shows how much room there is.
 *
 * @example
 * defaultHorizonS(60); // 66
 */
export function defaultHorizonS(loadBalancerIdleTimeoutS: number): number {
  return roundS(Math.max(loadBalancerIdleTimeoutS * 1.1, loadBalancerIdleTimeoutS + 1));
}

/**
 * Share of the horizon that periodic sweeps are covered for: staggered sockets connect over
 * this part of the horizon, and a target that may sweep is waited for this much past it.
 *
 * Why half: a sweep interval longer than the stagger cannot be bracketed in one sweep, and
 * Node.js's default 30 s interval is half of a 60 s load balancer's horizon.
 */
export const SWEEP_COVERAGE = 0.5;

/**
 * The default stagger between the sockets that bracket a periodic threshold: a 33rd of the
 * horizon, 2 s for a 60 s load balancer.
 *
 * Why: 16 sockets so spaced span half the horizon, which covers Node.js's default 30 s sweep
 * interval behind a 60 s load balancer, within the default budget of 16 sockets at once.
 *
 * @example
 * defaultSweepStepS(66); // 2
 */
export function defaultSweepStepS(horizonS: number): number {
  return roundS(horizonS / 33);
}

/** First-round active sockets of a phase without staggered sockets: pre-request idles are the classic lazy case. */
const ROUND_ONE_ACTIVES: Readonly<Record<PhaseName, number>> = { preRequest: 5, keepAlive: 3 };

/** The tick of a coarse clock: idle counted in whole seconds, or timers checked once a second. */
export const COARSE_TICK_S = 1;

/**
 * When each of `count` keep-alive sockets held to the horizon beside the passive one starts its
 * idle, in seconds after its first response: it sends a second request then, and idles from
 * that answer. Spread over one tick of a coarse clock, the passive socket's idle starting at 0.
 *
 * Why: a server with a coarse clock closes a connection anywhere within a tick of its limit,
 * by the sub-second moment its idle started. The keep-alive sockets all got their first
 * answers within milliseconds of each other, so they sampled one moment: behind a 3 s load
 * balancer with a 0.5 s margin, a clock closing between 3 and 4 s idle passed half the runs
 * and failed the other half. Of two sockets half a tick apart, one idles at most half a tick
 * past the earliest close. A second request, not a later first one: a connection kept silent
 * first may meet a short pre-request limit instead.
 *
 * @example
 * keepAliveIdleStartsS(1); // [0.5]
 * keepAliveIdleStartsS(3); // [0.25, 0.5, 0.75]
 */
export function keepAliveIdleStartsS(count: number): number[] {
  return Array.from({ length: count }, (_, i) => roundS(((i + 1) / (count + 1)) * COARSE_TICK_S));
}

/** Keep-alive sockets held to the horizon beside the passive one, at other moments of a second. */
export const KEEP_ALIVE_MOMENTS = 1;

/**
 * How long after a tick of a coarse clock the keep-alive phase's tick test socket has idled the
 * needed idle and sends its request, in seconds (`tickTestMomentS`); its idle must not start
 * later than planned by more than `TICK_TEST_SLACK_S`, nor earlier by more than this less
 * `TICK_TEST_SLACK_S` (its request would go out too close to the tick, or before it), or it
 * starts again a tick later.
 *
 * Why just after a tick: a server that checks an exact timer once a second closes a connection at
 * the first tick past its limit, and one that counts idle in whole seconds closes one whose idle
 * began before a tick sooner than one whose idle began after it. Of a connection that reaches the
 * needed idle just after a tick, the first closes it at that tick exactly when its limit is at
 * or below the needed idle less this much, the second exactly when its earliest close is at or
 * below the needed idle (idle counted from a moment a needed idle's fraction, less this much,
 * before a tick). Either close reads at most the needed idle: the phase fails on it.
 */
export const TICK_TEST_PAST_S = 0.03;
export const TICK_TEST_SLACK_S = TICK_TEST_PAST_S / 3;

/**
 * When the keep-alive phase's tick test socket must start its idle, in seconds after the passive
 * socket's idle start (give or take whole ticks), when the server closed a socket whose idle
 * began `openedS` after the passive socket's after `closedAfterS` of idle (by itself, or as its
 * request went out); `null` when no tick test is needed.
 *
 * Why: a coarse clock closes a connection within a tick of its earliest close, by the moment its
 * idle began, and the keep-alive phase samples two moments half a tick apart (the passive socket,
 * `keepAliveIdleStartsS`): behind 6 s with a 0.1 s margin, a clock closing from 6 to 7 s idle
 * passed 5 of 20 runs (both sockets idled from moments whose closes came past 6.1 s). A close
 * a tick or more past the needed idle (`neededS`) rules such an earliest close out, one at or
 * below it fails the phase anyway; in between, the close's instant is a tick of the clock, and
 * one more socket timed on it (`TICK_TEST_PAST_S`) meets the clock's worst moment. A
 * per-connection timer closes it past the needed idle as it did the passive socket, and only
 * costs the time.
 *
 * @example
 * tickTestMomentS(61.4, 61); // 0.43: idled 61 s 0.03 s after the tick at 61.4 s (and every whole second from it)
 * tickTestMomentS(62.5, 61); // null: the earliest close is past 61.5 s
 * tickTestMomentS(61.4, 61, 0.5); // 0.93: the close came at 61.9 s on the passive socket's time axis
 */
export function tickTestMomentS(closedAfterS: number, neededS: number, openedS = 0): number | null {
  if (closedAfterS <= neededS || closedAfterS >= neededS + COARSE_TICK_S) return null;
  // Never negative: the close lies past the needed idle.
  return roundS((openedS + closedAfterS + TICK_TEST_PAST_S - neededS) % COARSE_TICK_S);
}

/**
 * How long after the pre-request phase's passive socket the keep-alive phase's aligned socket
 * opens, in seconds (`alignedSockets`).
 *
 * Why: a server that checks each connection's idle every S seconds from its open (gRPC core's
 * `max_connection_idle`) closes the silent passive socket at its first check, and checks the
 * aligned socket this much later. The aligned socket's second request goes out when that close
 * is seen, so it must reach the server before the aligned socket's own check: the close's way
 * back, the event loop's turn and the request's way out take a few milliseconds on loopback and
 * in a VPC (round trips under a millisecond), tens on a busy Lambda. Longer costs accuracy:
 * the aligned socket reads the setting plus this lead (less what the close took to be seen),
 * and 0.05 s keeps a 1.5 s setting within 0.1 s on loopback. The lead counts from the passive
 * socket's idle start, after its connect (and TLS, and SETTINGS): the server's timers stand that
 * much further apart, a few milliseconds, or a second once for a starved server, which the
 * reading then overstates by. Too short, or a stall longer than
 * this on the probe's event loop, and the request misses the check: the socket then reads up
 * to twice the setting, as the other keep-alive sockets do, no worse than without it.
 */
export const ALIGNED_LEAD_S = 0.05;

/**
 * Keep-alive sockets aligned with the pre-request phase's passive socket (1 or 0): one for a
 * target spoken to in HTTP/2 (`GRPC` or `HTTP2`) whose both phases are probed and which keeps
 * connections alive.
 *
 * Why: gRPC core arms a connection's idle timer when it opens and checks it every S seconds; at
 * a check it closes the connection if no call started since the last one, else waits a full S
 * again. A connection idle since a call is closed between S and 2S after it, by where the call
 * fell, and a load balancer meets S at worst (a call just before a check). The keep-alive sockets
 * make their calls at moments unrelated to their checks and read up to 2S. The aligned socket
 * opens `ALIGNED_LEAD_S` after the pre-request passive socket and makes its second call when
 * that socket's first check closes it, just before its own check: the check re-arms, and the
 * next closes it S plus the lead after that call. Why HTTP2 too: the rule is the server's, not
 * the target group's, and gRPC core counts a plain HTTP/2 request as a call (a 1.5 s setting
 * read 2.5 s over an `HTTP2` target as over `GRPC`); a server that times each connection from
 * its last request releases the socket unused (`alignedOutdone`). Not HTTP/1.1: no HTTP/1.1
 * server checks idle that way, and its targets keep today's plan.
 *
 * @example
 * alignedSockets('GRPC', ['preRequest', 'keepAlive'], true); // 1
 * alignedSockets(undefined, ['preRequest', 'keepAlive'], true); // 0
 * alignedSockets('GRPC', ['keepAlive'], true); // 0: no pre-request close to align with
 */
export function alignedSockets(protocolVersion: ProtocolVersion | undefined, phases: readonly PhaseName[], keepsAlive: boolean): number {
  const http2 = protocolVersion === 'GRPC' || protocolVersion === 'HTTP2';
  return http2 && keepsAlive && phases.includes('preRequest') && phases.includes('keepAlive') ? 1 : 0;
}

/**
 * Whether the aligned socket can show no shorter keep-alive limit than one already measured:
 * a keep-alive socket closed at an idle no longer than the pre-request close's
 * (`preRequestCloseS`) plus `ALIGNED_LEAD_S`, the least the aligned socket reads.
 *
 * Why: then it is released unused when the pre-request close comes, instead of held until its
 * own close. A server that times each connection from its last request (Go and Java gRPC,
 * Node.js `http2` session timeouts, Envoy) or from its open (`max_connection_age`) closed the
 * keep-alive passive socket by then at that idle; held, the aligned socket would have kept the
 * target up to a whole limit longer, and after a close at a fixed age it would have read a
 * limit of the lead alone.
 *
 * @example
 * alignedOutdone([1.502], 1.5); // true: a per-connection timer
 * alignedOutdone([2.997, 2.505], 1.5); // false: gRPC core, read up to twice the setting
 */
export function alignedOutdone(keepAliveClosesS: readonly number[], preRequestCloseS: number): boolean {
  return keepAliveClosesS.some((idleS) => idleS <= preRequestCloseS + ALIGNED_LEAD_S);
}

/**
 * Whether the aligned socket's close (`closedAfterS`, after its second request) shows the idle
 * check it is there to read: at least half the pre-request close's idle (`cueIdleS`) after
 * that request.
 *
 * Why: an idle check every S seconds from the open closes it the setting plus the lead after
 * its second request, about the pre-request socket's S, less however late that request went
 * out (a stalled event loop). A server that closes connections at a jittered age
 * (`MaxConnectionAge`, ±10 % in gRPC Go and Java) closes it at its own age, within a fifth of
 * that age of its cue, before or after it: not a limit of idle time. Half tells the two apart
 * with a stall of up to half the setting.
 *
 * @example
 * alignedShowsIdleCheck(1.551, 1.5); // true: gRPC core's 1.5 s check
 * alignedShowsIdleCheck(1.343, 1.707); // true: both seen late by a stalled event loop
 * alignedShowsIdleCheck(2.385, 29.1); // false: its own age came 2.4 s after its second request
 */
export function alignedShowsIdleCheck(closedAfterS: number | null, cueIdleS: number | null): boolean {
  return closedAfterS !== null && cueIdleS !== null && closedAfterS >= cueIdleS / 2;
}

/** A first round of active sockets: each one's planned idle, and when its idle starts after its first answer. */
export interface RoundOne {
  readonly roundOneS: readonly number[];
  readonly idleStartsS: readonly number[];
}

/**
 * The keep-alive phase's first round when it has no staggered sockets, within `sockets`: the
 * active at the load balancer's timeout first, then a socket whose idle starts at a later
 * moment of a second (`keepAliveIdleStartsS`) and which sends its request at the timeout plus
 * the margin (`neededS`), within the passive socket's horizon, then the rest of the actives.
 *
 * Why in that order: the active at the timeout keeps a lazy bracket narrow (see `target.ts`);
 * the socket at another moment is what makes a coarse clock's verdict the same in every run;
 * the others only narrow a bracket sooner. Why its request at the timeout plus the margin:
 * that is the question it answers (does a connection idle from another moment close by
 * then?), and its answer is a survival no sweep analysis reads as one: held until the server
 * closed it, it closed at the same tick as the passive socket in half the runs of a clock
 * whose earliest close passes, a sweep with no survivor (`inconclusive`); and held a horizon
 * of its own, it ran every target half a second past the horizon. Its first byte, not its
 * last, goes at the timeout plus the margin: most servers count any byte as the end of an
 * idle (Node.js, Apache, Tomcat), so a request that ended there would have been answered by
 * a server that closes between its start and its end, a pass of a close before the margin.
 * A server that counts only complete headers and closes between the request's two segments
 * reads as a lazy limit just past the margin: `inconclusive`, as it is, not a pass.
 *
 * @example
 * keepAliveRoundOne(2, 60, 66, 61); // { roundOneS: [60, 61], idleStartsS: [0, 0.5] }
 * keepAliveRoundOne(1, 60, 66, 61); // { roundOneS: [60], idleStartsS: [0] }
 */
export function keepAliveRoundOne(sockets: number, loadBalancerIdleTimeoutS: number, horizonS: number, neededS: number): RoundOne {
  const moments = keepAliveIdleStartsS(Math.max(0, Math.min(KEEP_ALIVE_MOMENTS, sockets - 1)));
  const ladder = roundOneDelaysS(Math.max(0, Math.min(ROUND_ONE_ACTIVES.keepAlive, sockets - moments.length)), loadBalancerIdleTimeoutS, horizonS);
  return {
    roundOneS: [...ladder, ...moments.map((momentS) => roundS(Math.min(neededS, horizonS - momentS)))],
    idleStartsS: [...ladder.map(() => 0), ...moments],
  };
}

/**
 * Which phase gets the staggered sockets: the pre-request phase when it is measured (servers
 * sweep silent connections, Node.js since 18), else the keep-alive phase.
 *
 * Why one phase: the staggered sockets of one phase fill a 16-socket budget at the sweep.
 *
 * @example
 * staggeredPhase(['preRequest', 'keepAlive']); // 'preRequest'
 */
export function staggeredPhase(phases: readonly PhaseName[]): PhaseName | undefined {
  return phases.includes('preRequest') ? 'preRequest' : phases[0];
}

/**
 * First-round active sockets of a phase: none where staggered sockets test the idles (they
 * send their requests at the horizon, each after a different idle), a few otherwise.
 *
 * @example
 * roundOneActives('keepAlive', false); // 3
 */
export function roundOneActives(phase: PhaseName, staggered: boolean): number {
  return staggered ? 0 : ROUND_ONE_ACTIVES[phase];
}

/**
 * When staggered sockets start their idles, in seconds after the passive socket's (the phase
 * opens each one a connect earlier, so that a connect's time never widens a gap): about `stepS` apart up
 * to `SWEEP_COVERAGE` of the horizon, aligned so
 * that one of them has idled exactly the load balancer's timeout at the horizon, unless that
 * puts the first more than a step after the passive socket.
 *
 * Why aligned: at the horizon they send their requests, so the same sockets that bracket a
 * sweep's threshold also test lazy limits, the load balancer's timeout among them.
 *
 * Why never more than a step after the passive socket: a sweep that falls between the two
 * closes the passive socket alone, and the threshold is known only to within their gap. A
 * shortened step cannot keep both (aligned, the first came 2.125 s after the passive socket
 * behind 60 s, and a 60 s threshold read up to 62.125 s); the sockets then start one step
 * after it, and the one nearest the timeout idles a fraction of a second past it.
 *
 * Why a whole-second step is shortened by a fraction of a second: a server with a coarse
 * clock (idle counted in whole seconds, timers checked once a second) closes a connection
 * up to a second early or late depending on the sub-second moment it connected. Sockets a
 * whole number of seconds apart all sit at the same moment of the second and sample one
 * point; shortened by `1 / n` s, the n sockets sit at n different moments, so the earliest
 * close the server can give is seen in every run, to within `1 / n` s (a sub-second step: to
 * within the step), plus however much one connect took longer than the passive socket's.
 *
 * Why at most `maxCount`, further apart when fewer: the sockets are reserved before the other
 * phases take theirs; one tick skipped for want of a socket left the youngest ages untried,
 * and a sweep past the threshold then had no survivor (`inconclusive` for a server that passes).
 *
 * @example
 * staggerOffsetsS(66, 60, 2); // [1.938, 3.875, 5.813, 7.75, ..., 31]: 16 sub-second moments, none more than 1.938 s apart
 * staggerOffsetsS(4, 3, 0.3); // [0.4, 0.7, 1, 1.3, 1.6, 1.9]: aligned, 1 s among them
 * staggerOffsetsS(66, 60, 2, 13); // 13 sockets over the same 33 s, about 2.5 s apart
 */
export function staggerOffsetsS(horizonS: number, loadBalancerIdleTimeoutS: number, stepS: number, maxCount = Number.POSITIVE_INFINITY): number[] {
  const untilS = horizonS * SWEEP_COVERAGE;
  const wanted = Math.floor(untilS / stepS + 1e-9);
  const count = Math.min(wanted, Math.max(0, Math.floor(maxCount)));
  if (count <= 0) return [];
  // Whole-second steps widen to keep the span (a sweep interval); sub-second steps keep their
  // spacing, which a coarse clock's sub-second moments need, and drop the youngest sockets.
  const spanStepS = count < wanted && stepS >= 1 ? untilS / count : stepS;
  const step = spanStepS >= 1 && count > 1 ? spanStepS - 1 / count : spanStepS;
  const aligned = positiveModulo(horizonS - loadBalancerIdleTimeoutS, step);
  const alignedFirst = aligned < step / 2 ? aligned + step : aligned;
  // A shortened step cannot keep both: aligned, its first socket came more than a step after
  // the passive one (2.125 s behind 60 s), the widest gap of all, and a sweep falling in it
  // read a 60 s threshold as up to 62.125 s.
  const first = spanStepS === stepS && step < stepS && alignedFirst > stepS ? step : alignedFirst;
  const offsets: number[] = [];
  // Widened, all of them are placed, the last up to one step past the coverage.
  const lastS = spanStepS > stepS ? Number.POSITIVE_INFINITY : untilS + 1e-9;
  for (let offset = first; offset <= lastS && offsets.length < count; offset += step) offsets.push(roundS(offset));
  return offsets;
}

function positiveModulo(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}

/**
 * Idle delays of the first round of active sockets: dense near the load balancer timeout,
 * the last one exactly at it.
 *
 * Why: near the timeout a second decides pass or fail, far below it the phase fails anyway,
 * so the gaps shrink quadratically towards the timeout. The horizon itself is tested by the
 * passive socket, which sends its request when the horizon is reached.
 *
 * @example
 * roundOneDelaysS(5, 60, 66); // [21.6, 38.4, 50.4, 57.6, 60]
 */
export function roundOneDelaysS(count: number, loadBalancerIdleTimeoutS: number, horizonS: number): number[] {
  const top = Math.min(loadBalancerIdleTimeoutS, horizonS);
  return Array.from({ length: count }, (_, i) => {
    const fromTop = (count - 1 - i) / count;
    return roundS(top * (1 - fromTop * fromTop));
  });
}

/** What is known of a limit: the longest idle that survived and the shortest that failed. */
export interface Bracket {
  readonly survivedS: number;
  readonly failedS: number;
}

/**
 * The idle the next narrowing socket tests: the middle of the bracket.
 */
export function nextNarrowingIdleS(bracket: Bracket): number {
  return roundS((bracket.survivedS + bracket.failedS) / 2);
}

/**
 * When to open each socket of a narrowing chain, in seconds after the first failure showed.
 *
 * Why a schedule fixed in advance: plain bisection waits for each answer before starting the
 * next idle, costing a whole idle per step. Here socket k+1 opens a quarter of the bracket
 * width (at step k) after socket k; then, when socket k's answer comes, socket k+1 has idled
 * exactly as long as the lower half's midpoint: if the test failed it sends at once, if it
 * survived it idles on to the upper half's midpoint. Bisection halves the width whatever the
 * answers, so the schedule never depends on them, and a whole chain costs about one idle
 * plus half the bracket's width.
 *
 * @example
 * // Bracket (38.4, 50.4], 0.5 s wanted, 6 sockets to spare: 5 steps.
 * narrowingScheduleS(12, 0.5, 6); // [0, 3, 4.5, 5.25, 5.625]
 */
export function narrowingScheduleS(widthS: number, precisionS: number, maxSockets: number): number[] {
  const steps = Math.min(maxSockets, Math.max(0, Math.ceil(Math.log2(widthS / precisionS))));
  const offsets: number[] = [];
  for (let k = 0, offset = 0; k < steps; offset += widthS / 2 ** (k + 2), k++) offsets.push(roundS(offset));
  return offsets;
}

/**
 * Whether a bracket is still worth narrowing.
 */
export function needsNarrowing(bracket: Bracket, precisionS: number): boolean {
  return bracket.failedS - bracket.survivedS > precisionS;
}

/** Rounds seconds to milliseconds, the precision every figure is reported with. */
export function roundS(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
