/**
 * Probes one target: resolves it, checks it speaks HTTP, then runs its phases side by side.
 */
import { lookup } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import type { Clock } from './clock';
import { advertisedKeepAliveS, keepsAlive } from './http-response';
import { ConnectError, type Endpoint, type ResponseHead, type Wire, type WireConnection, type WireFactory } from './wire/types';
import { SocketBudget } from './budget';
import { ANSWER_RESERVE_S, runPhase, type AlignWith, type IdleConnection, type PhaseSettings, type RunServices, type Stagger } from './phase';
import { NO_KEEP_ALIVE_REASON, summarizePhase } from './phase-result';
import { printable } from '../shared/printable';
import { neverAccepted } from './accept';
import { checkConcurrency, summarizeOneAtATime, summarizeUnanswered, unansweredRequest } from './concurrency';
import { KEEP_ALIVE_MOMENTS, SWEEP_COVERAGE, alignedSockets, keepAliveRoundOne, roundOneActives, type RoundOne, roundOneDelaysS, roundS, staggerOffsetsS, staggeredPhase } from './plan';
import type { PhaseName, PhaseResult, ProbeJob, ProbeResult, ProbeTarget, ServerHints, SocketRecord, TargetError, Verdict } from './types';

/** What the engine gives each target. */
export interface TargetRun {
  readonly job: ProbeJob;
  readonly horizonS: number;
  readonly phases: readonly PhaseName[];
  /** Sockets of this target open at once. */
  readonly maxSockets: number;
  readonly marginS: number;
  /** Stagger of the sockets that bracket a periodic threshold, in seconds. */
  readonly sweepStepS: number;
  /** Clock ms by which every socket of the target is closed. */
  readonly deadline: number;
  /** Aborted when the whole run stops; says why in `signal.reason`. */
  readonly signal: AbortSignal;
  readonly settings: PhaseSettings & { readonly segmentPauseMs: number };
  readonly services: RunServices;
  /** The clock of the run: every moment of the target is read from and waited on it. */
  readonly clock: Clock;
  /** Makes the target's wire. */
  readonly wireOf: WireFactory;
  readonly onSocket: (phase: PhaseName, record: SocketRecord) => void;
}

/** An error message quotes a backend's bytes: one bounded line. */
const ERROR_MAX_LENGTH = 300;

/**
 * Probes one target and returns the contract's result; never throws for a bad target.
 *
 * Why a first request before the phases: it tells a refused port, a TLS mismatch or a
 * non-HTTP service apart in one round trip, and its connection, now idle after a
 * response, is the keep-alive phase's passive socket.
 */
export async function probeTarget(run: TargetRun): Promise<ProbeResult> {
  const started = run.clock.now();
  const startedAt = new Date().toISOString();
  const stop = new AbortController();
  // Each held socket listens to it: up to the target's socket budget at once.
  setMaxListeners(0, stop.signal);
  const cancelTimer = Number.isFinite(run.deadline) ? run.clock.schedule(run.deadline, () => stop.abort(new Error(cutShortReason(run, started, 'time budget')))) : () => undefined;
  const onAbort = () => stop.abort(new Error(cutShortReason(run, started, 'abort')));
  run.signal.addEventListener('abort', onAbort, { once: true });
  let socketsUsed = 0;
  let openNow = 0;
  let peakSockets = 0;
  const connections = new Set<WireConnection>();
  // At the deadline every socket of the target goes: no request may wait out its response timeout past the budget.
  stop.signal.addEventListener('abort', () => connections.forEach((connection) => connection.abandon()), { once: true });
  const services: RunServices = {
    ...run.services,
    track: (connection) => {
      socketsUsed++;
      peakSockets = Math.max(peakSockets, ++openNow);
      void connection.ended.then(() => openNow--);
      connections.add(connection);
      run.services.track(connection);
    },
  };
  try {
    const wire = run.wireOf(run.job.target, run.settings);
    const horizonS = roundS(Math.min(run.horizonS, (run.deadline - started - 2 * wire.sendSpreadMs) / 1000 - ANSWER_RESERVE_S));
    const endpoint = { ...(await resolveEndpoint(run.job.target)), proxyProtocol: run.job.target.proxyProtocol };
    const sockets = new SocketBudget(run.maxSockets, run.clock);
    sockets.tryTake();
    const first = await heldFirstRequest(endpoint, wire, run, sockets, services, stop.signal);
    const alive = keepsAlive(first.head);
    // Only the keep-alive phase uses the first connection: otherwise its descriptor is freed now.
    if (!run.phases.includes('keepAlive') || !alive) first.connection.destroy();
    // The concurrency check starts once a phase holds a connection, and ends with the pre-request phase.
    let phaseHolds = (): void => undefined;
    const holding = new Promise<void>((resolve) => (phaseHolds = resolve));
    const phaseServices: RunServices = {
      ...services,
      track: (connection) => {
        services.track(connection);
        phaseHolds();
      },
    };
    const checkEnd = new AbortController();
    const checking = oneAtATime(run, endpoint, wire, sockets, services, holding, AbortSignal.any([stop.signal, checkEnd.signal]));
    const staggered = staggeredPhase(run.phases.filter((phase) => phase !== 'keepAlive' || alive));
    // The staggered sockets are reserved first: a tick skipped for want of a socket leaves a
    // sweep without a survivor (the youngest, skipped while the passive sockets and the other
    // phase's active held the budget). What they and the passive sockets leave goes to first-round
    // actives, the rest waits for narrowing; but one active (at the load balancer's timeout)
    // is kept for each other phase whenever the budget has room for it: without it, a late request refused at the
    // horizon (a timer that fires as the request goes out) is narrowed from 0 s, two horizons more.
    // So is the keep-alive phase's socket at another moment of a second (`keepAliveRoundOne`):
    // behind a 3 s load balancer, staggered sockets a 10th of a second apart took all of 20.
    // So is, for an HTTP/2 or gRPC target, the keep-alive socket aligned with the pre-request
    // passive socket (`alignedSockets`): it is what reads gRPC core's keep-alive limit.
    const spare = Math.max(0, run.maxSockets - run.phases.length);
    const moments = staggered !== 'keepAlive' && alive && run.phases.includes('keepAlive') ? KEEP_ALIVE_MOMENTS : 0;
    const aligned = alignedSockets(run.job.target.protocolVersion, run.phases, alive);
    const stagger = staggered === undefined ? undefined : staggerOf(run, horizonS, spare - Math.min(run.phases.length - 1 + moments + aligned, spare));
    const activesLeft = Math.max(Math.min(1, spare), spare - (stagger?.offsetsS.length ?? 0));
    // The pre-request phase's passive socket, once idle: the aligned socket opens just after it,
    // and makes its second request when the server closed it (its record, not its connection's
    // end: a socket the probe released ends as if unprompted too).
    let preRequestPassive: (passive: IdleConnection | null) => void = () => undefined;
    let preRequestClosed: (idleS: number | null) => void = () => undefined;
    const alignWith: AlignWith = {
      passive: new Promise((resolve) => (preRequestPassive = resolve)),
      closedAfterS: new Promise((resolve) => (preRequestClosed = resolve)),
    };

    // Keep-alive requests left unanswered while the pre-request phase held silent connections,
    // until `silentUntil` (clock ms): when that phase ended. Not when its passive socket was
    // answered: that is its first test at the horizon, and the staggered sockets then wait on
    // for a sweep, holding gunicorn --threads 4's threads for half a horizon more; a keep-alive
    // request sent meanwhile read as a lazy limit.
    const unansweredWhileSilent = new Set<SocketRecord>();
    let silentUntil = run.phases.includes('preRequest') ? Number.POSITIVE_INFINITY : 0;
    let preRequestEnded = (): void => undefined;
    const silenceOver = new Promise<void>((resolve) => (preRequestEnded = resolve));
    if (!run.phases.includes('preRequest')) preRequestEnded();
    const phaseResults = await Promise.all(
      run.phases.map(async (phase): Promise<[PhaseName, PhaseResult]> => {
        if (phase === 'keepAlive' && !alive) return [phase, noKeepAlive()];
        const actives = Math.min(roundOneActives(phase, phase === staggered), activesLeft);
        const roundOne = phase === 'keepAlive' && phase !== staggered ? keepAliveRoundOneOf(run, Math.max(Math.min(1, activesLeft), activesLeft - aligned), horizonS) : { roundOneS: roundOneDelaysS(actives, run.job.loadBalancerIdleTimeoutS, horizonS) };
        const records = await runPhase({
          phase,
          endpoint,
          wire,
          horizonS,
          ...roundOne,
          ...(phase === staggered ? { stagger } : {}),
          passive: phase === 'keepAlive' ? first : undefined,
          ...(aligned > 0 ? (phase === 'preRequest' ? { onPassive: preRequestPassive } : { alignWith }) : {}),
          sockets,
          deadline: run.deadline,
          signal: stop.signal,
          settings: run.settings,
          services: phaseServices,
          clock: run.clock,
          onSocket: (record) => {
            if (phase === 'preRequest' && record.role === 'passive' && record.outcome === 'closed' && record.unprompted && record.idleS !== null) preRequestClosed(record.idleS);
            if (phase === 'keepAlive' && unansweredRequest(record) && sentAt(record, first.idleSince) < silentUntil) unansweredWhileSilent.add(record);
            run.onSocket(phase, record);
          },
        }).finally(() => {
          if (phase !== 'preRequest') return;
          preRequestPassive(null);
          preRequestClosed(null);
          silentUntil = Math.min(silentUntil, run.clock.now());
          preRequestEnded();
        });
        const context = { ...phaseContext(run, horizonS, stop.signal), sweepToleranceS: sweepToleranceS(run.sweepStepS) };
        if (phase === 'preRequest') {
          checkEnd.abort();
          const unanswered = await checking;
          if (unanswered !== null) return [phase, summarizeOneAtATime(records, unanswered, context, alive)];
        }
        if (phase === 'keepAlive' && unansweredWhileSilent.size > 0) {
          const judged = summarizeUnanswered(records, unansweredWhileSilent, context);
          if (judged.verdict !== 'inconclusive' || judged.evidence?.cutShort !== undefined) return [phase, judged];
          // Measured again once the silent connections are gone, on the same time axis.
          await silenceOver;
          const again = await retestKeepAlive({ run, endpoint, wire, horizonS, sockets, services: phaseServices, signal: stop.signal, originS: first.idleSince / 1000 });
          const retested = { ...phaseContext(run, horizonS, stop.signal), sweepToleranceS: context.sweepToleranceS };
          return [phase, again.length === 0 ? judged : summarizeUnanswered([...records, ...again], unansweredWhileSilent, retested)];
        }
        return [phase, summarizePhase(records, context)];
      }),
    );
    return result(run, horizonS, Object.fromEntries(phaseResults), started, { socketsUsed, peakSockets }, { startedAt, server: hintsOf(first.head) });
  } catch (error) {
    const targetError: TargetError =
      error instanceof ConnectError
        ? { code: error.code, message: error.message }
        : { code: 'socket-error', message: `${run.job.target.host}:${run.job.target.port}: ${(error as Error).message ?? String(error)}` };
    return result(run, run.horizonS, {}, started, { socketsUsed, peakSockets }, { startedAt, error: targetError });
  } finally {
    cancelTimer();
    run.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * When a phase's socket sent its request (clock ms), from its record on the phase's time axis
 * (`origin`, clock ms).
 *
 * Why not the moment the record came less the response timeout: a loaded event loop records an
 * unanswered request late, and a request sent half a second before the silent connections were
 * released (gunicorn `--threads 4`, a keep-alive socket whose idle started half a second late)
 * read as sent after it, a lazy limit of a server that was only busy.
 *
 * @example
 * sentAt({ openedS: 0.5, idleS: 21, ... }, origin); // origin + 21_500
 */
function sentAt(record: SocketRecord, origin: number): number {
  return origin + ((record.openedS ?? 0) + (record.idleS ?? 0)) * 1000;
}

/** What a keep-alive retest needs of its target's run. */
interface Retest {
  readonly run: TargetRun;
  readonly endpoint: Endpoint;
  readonly wire: Wire;
  readonly horizonS: number;
  readonly sockets: SocketBudget;
  readonly services: RunServices;
  readonly signal: AbortSignal;
  /** The keep-alive phase's time axis (its passive socket's idle start), clock s. */
  readonly originS: number;
}

/** Sockets of a keep-alive retest beside its passive one: the target's other phases are over. */
const RETEST_SOCKETS = 2;

/**
 * Measures the keep-alive phase again once the pre-request phase has released its silent
 * connections: a passive socket held to the horizon, an active one at the load balancer's
 * timeout and one held from half a second later to the horizon (`keepAliveRoundOne`), their
 * records on the first measurement's time axis. None when the deadline leaves no room for a horizon.
 *
 * Why: a server whose threads each wait for a connection's request (gunicorn `--threads 4`)
 * had them all held by the probe's silent connections, so the phase's requests went
 * unanswered and measured nothing; with a keepalive past the horizon no close of its own
 * decides either (`--keep-alive 100`: `inconclusive`). The same sockets with the threads free
 * measure the server as a load balancer's reused connections meet it.
 */
async function retestKeepAlive(retest: Retest): Promise<SocketRecord[]> {
  const { run, horizonS } = retest;
  const needMs = (horizonS + ANSWER_RESERVE_S) * 1000 + 2 * retest.wire.sendSpreadMs + run.settings.responseTimeoutMs;
  if (retest.signal.aborted || run.clock.now() + needMs > run.deadline || !retest.sockets.tryTake()) return [];
  let passive: IdleConnection;
  try {
    passive = await heldFirstRequest(retest.endpoint, retest.wire, run, retest.sockets, retest.services, retest.signal);
  } catch {
    return [];
  }
  const shiftS = passive.idleSince / 1000 - retest.originS;
  const records = await runPhase({
    phase: 'keepAlive',
    endpoint: retest.endpoint,
    wire: retest.wire,
    horizonS,
    ...keepAliveRoundOneOf(run, RETEST_SOCKETS, horizonS),
    passive,
    sockets: retest.sockets,
    deadline: run.deadline,
    signal: retest.signal,
    settings: run.settings,
    services: retest.services,
    clock: run.clock,
    onSocket: () => undefined,
  });
  const shifted = records.map((record) => (record.openedS === undefined ? record : { ...record, openedS: roundS(record.openedS + shiftS) }));
  shifted.forEach((record) => run.onSocket('keepAlive', record));
  return shifted;
}

/**
 * Checks, once the phases hold a connection (`holding`), whether the server answers a new one
 * meanwhile (`concurrency.ts`); the unanswered socket's record when it does not, else `null`.
 * Skipped when the pre-request phase is not measured or the target's budget has no socket free.
 *
 * Why alongside the phases, not before them: a check before would hold up every phase of a
 * server that serves one connection at a time for a whole response timeout.
 */
async function oneAtATime(
  run: TargetRun,
  endpoint: Endpoint,
  wire: Wire,
  sockets: SocketBudget,
  services: RunServices,
  holding: Promise<void>,
  signal: AbortSignal,
): Promise<SocketRecord | null> {
  if (!run.phases.includes('preRequest')) return null;
  await Promise.race([holding, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
  if (signal.aborted || !sockets.tryTake()) return null;
  try {
    return await checkConcurrency({ endpoint, wire, connectTimeoutMs: run.settings.connectTimeoutMs, responseTimeoutMs: run.settings.responseTimeoutMs, signal, track: services.track });
  } finally {
    sockets.give();
  }
}

/**
 * The keep-alive phase's first round within `sockets` (`keepAliveRoundOne`): its socket at another
 * moment of a second asks at the timeout plus the margin, the line a pass must reach; and that
 * line for the tick test (`tickTestMomentS`), which meets a coarse clock's other moments.
 *
 * @example
 * keepAliveRoundOneOf(run, 2, 66); // { roundOneS: [60, 61], idleStartsS: [0, 0.5], tickTestS: 61 } behind 60 s with a 1 s margin
 */
function keepAliveRoundOneOf(run: TargetRun, sockets: number, horizonS: number): RoundOne & { readonly tickTestS: number } {
  const neededS = passLineS(run);
  return { ...keepAliveRoundOne(sockets, run.job.loadBalancerIdleTimeoutS, horizonS, neededS), tickTestS: neededS };
}

/**
 * The staggered sockets of a target's phase.
 *
 * Why every target may be awaited past the horizon, whatever its `Server` header: a sweep that
 * comes after the horizon is invisible until it comes, and any server may sweep (Node.js
 * 18+ sends no `Server` header, a proxy in front of it may). The phase waits only while the
 * evidence needs it: not once its closes show a per-connection timer or a decided bracket.
 */
function staggerOf(run: TargetRun, horizonS: number, maxSockets: number): Stagger {
  const passS = passLineS(run);
  return {
    offsetsS: staggerOffsetsS(horizonS, run.job.loadBalancerIdleTimeoutS, run.sweepStepS, maxSockets),
    // Its answer is the pass evidence of a server that never closes: it must reach the timeout plus
    // the margin, by a step, so that the sweep its request leaves unseen is one above the pass line.
    firstTestS: passS + run.sweepStepS,
    awaitSweepS: roundS(horizonS * SWEEP_COVERAGE),
    toleranceS: sweepToleranceS(run.sweepStepS),
    passS,
  };
}

/** The idle a pass needs seen to survive: the load balancer's timeout plus the margin, in seconds. */
function passLineS(run: TargetRun): number {
  return run.job.loadBalancerIdleTimeoutS + run.marginS;
}

/** Closes a quarter of the stagger apart or less are one sweep: per-connection closes are a whole stagger apart. */
function sweepToleranceS(stepS: number): number {
  return roundS(stepS / 4);
}

/** The result of a target that never started (aborted or out of time while queued). */
export function unstartedResult(job: ProbeJob, horizonS: number, phases: readonly PhaseName[], reason: string, marginS?: number): ProbeResult {
  const phaseResult = summarizePhase([], {
    loadBalancerIdleTimeoutS: job.loadBalancerIdleTimeoutS,
    horizonS,
    marginS: 0,
    lagS: 0,
    cutShort: reason,
  });
  return {
    target: contractTarget(job),
    loadBalancerIdleTimeoutS: job.loadBalancerIdleTimeoutS,
    horizonS,
    phases: Object.fromEntries(phases.map((phase) => [phase, phaseResult])),
    verdict: 'inconclusive',
    startedAt: new Date().toISOString(),
    elapsedS: 0,
    socketsUsed: 0,
    peakSockets: 0,
    ...(marginS !== undefined ? { marginS } : {}),
  };
}

/** The worst of the verdicts: any failure beats doubt, and doubt beats a pass. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.length === 0 || verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

async function resolveEndpoint({ host, port, tls }: ProbeTarget): Promise<Endpoint> {
  if (isIP(host)) return { address: host, port, tls };
  try {
    // Resolved once, so that a target's sockets all reach the same backend.
    const { address } = await lookup(host);
    return { address, port, tls, servername: host };
  } catch (error) {
    throw new ConnectError('dns', `${host}:${port}: DNS lookup failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * `firstRequest` on a socket already taken from the target's budget: given back when the
 * connection ends (or failed to open), and tracked by the run, which closes it at the end.
 */
async function heldFirstRequest(endpoint: Endpoint, wire: Wire, run: TargetRun, sockets: SocketBudget, services: RunServices, signal: AbortSignal): Promise<IdleConnection & { head: ResponseHead }> {
  let first: IdleConnection & { head: ResponseHead };
  try {
    first = await firstRequest(endpoint, wire, run, signal);
  } catch (error) {
    sockets.give();
    throw error;
  }
  void first.connection.ended.then(() => sockets.give());
  services.track(first.connection);
  return first;
}

async function firstRequest(
  endpoint: Endpoint,
  wire: Wire,
  run: TargetRun,
  signal: AbortSignal,
): Promise<IdleConnection & { head: ResponseHead }> {
  const name = `${endpoint.address}:${endpoint.port}`;
  const connection = await wire.open(endpoint, { connectTimeoutMs: run.settings.connectTimeoutMs, signal });
  const cut = () => connection.abandon();
  signal.addEventListener('abort', cut, { once: true });
  // In one segment: after no idle it meets no lazy timer, and split it put off every phase by
  // the pause (the pre-request phase opens after it: a sweep target ended 0.25 s later).
  const outcome = await connection.send({ timeoutMs: run.settings.responseTimeoutMs, whole: true });
  signal.removeEventListener('abort', cut);
  if (outcome.kind === 'response') return { connection, idleSince: outcome.answeredAt, head: outcome.head };
  connection.destroy();
  if (signal.aborted) throw new ConnectError('no-response', `${name}: ${(signal.reason as Error).message}, before it answered a first request`);
  if (outcome.kind === 'invalid') {
    throw new ConnectError('not-http', `${name}: ${outcome.reason}${endpoint.tls || outcome.speaksHttp ? '' : '; is it TLS?'}`);
  }
  if (outcome.close.closedWith === 'timeout') {
    const within = `within ${run.settings.responseTimeoutMs} ms`;
    if (outcome.close.status !== null) throw new ConnectError('no-response', `${name}: its response to a request did not end ${within}`);
    const queued = neverAccepted(outcome.close) ? ' (it never sent a byte: was the connection ever accepted?)' : '';
    throw new ConnectError('no-response', `${name}: no response to a request ${within}${queued}`);
  }
  throw new ConnectError('closed', `${name}: closed the connection (${outcome.close.closedWith}) without answering a request`);
}

/** Header values kept for reports: a backend's bytes, so bounded and with no control character. */
const HINT_MAX_LENGTH = 200;

function hintsOf(head: ResponseHead): ServerHints {
  const header = (name: string) => (head.headers[name] === undefined ? null : printable(head.headers[name], HINT_MAX_LENGTH));
  return {
    server: header('server'),
    poweredBy: header('x-powered-by'),
    keepAlive: header('keep-alive'),
    advertisedKeepAliveS: advertisedKeepAliveS(head.headers['keep-alive']),
    connectionClose: !keepsAlive(head),
    status: head.status,
  };
}

/**
 * A server that closes after every response never leaves a connection idle for the load
 * balancer to reuse, so there is no keep-alive limit to meet.
 */
function noKeepAlive(): PhaseResult {
  return {
    limitS: null,
    survivedS: null,
    failedS: null,
    enforcement: 'none',
    sweepS: null,
    closedWith: null,
    headroomS: null,
    verdict: 'pass',
    reason: NO_KEEP_ALIVE_REASON,
    sockets: [],
    evidence: { socketsOpened: 0, socketsUnaccepted: 0, keepAliveOffered: false },
  };
}

function phaseContext(run: TargetRun, horizonS: number, signal: AbortSignal) {
  return {
    loadBalancerIdleTimeoutS: run.job.loadBalancerIdleTimeoutS,
    horizonS,
    marginS: run.marginS,
    lagS: run.services.lagS(),
    loopLagS: run.services.loopLagS(),
    ...(signal.aborted ? { cutShort: (signal.reason as Error).message } : {}),
  };
}

function cutShortReason(run: TargetRun, started: number, cause: 'time budget' | 'abort'): string {
  const afterS = ((run.clock.now() - started) / 1000).toFixed(1);
  const why = cause === 'abort' ? `the run was aborted` : `the time budget ran out`;
  return `${why} after ${afterS} s of probing (horizon ${run.horizonS} s)`;
}

function contractTarget(job: ProbeJob): ProbeResult['target'] {
  const { host, port, tls, path, protocolVersion } = job.target;
  // HTTP/1.1 results stay as they were; an HTTP/2 or gRPC probe says which protocol it spoke.
  return { host, port, tls, path, ...(protocolVersion !== undefined && protocolVersion !== 'HTTP1' ? { protocolVersion } : {}) };
}

function result(
  run: TargetRun,
  horizonS: number,
  phases: Partial<Record<PhaseName, PhaseResult>>,
  started: number,
  sockets: Pick<ProbeResult, 'socketsUsed' | 'peakSockets'>,
  extra: Pick<ProbeResult, 'error' | 'server' | 'startedAt'>,
): ProbeResult {
  // Made printable once: the error and every phase's reason say the same.
  const error = extra.error && { ...extra.error, message: printable(extra.error.message, ERROR_MAX_LENGTH) };
  return {
    target: contractTarget(run.job),
    loadBalancerIdleTimeoutS: run.job.loadBalancerIdleTimeoutS,
    horizonS,
    phases: error ? unstartedResult(run.job, horizonS, run.phases, error.message).phases : phases,
    verdict: error ? 'inconclusive' : worstVerdict(Object.values(phases).map((phase) => phase.verdict)),
    ...extra,
    ...(error ? { error } : {}),
    elapsedS: roundS((run.clock.now() - started) / 1000),
    ...sockets,
    marginS: run.marginS,
  };
}
