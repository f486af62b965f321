/**
 * Held sockets: a phase's connection opened to its idle start, held, then sent its request (or
 * released, or closed by the server), and what that measured.
 *
 * Why apart from the phase: these are the socket primitives every job of a phase (the passive
 * socket, the staggered ones, the narrowing chain) shares; the phase only decides when.
 */
import { alarmAt } from './clock';
import { ConnectError, type RequestOutcome, type ServerClose, type WireConnection } from './wire/types';
import { roundS } from './plan';
import { neverAccepted, notAcceptedRecord } from './accept';
import type { IdleConnection, PhaseRun } from './phase';
import type { SocketRecord } from './types';
import { goawayOf } from './wire/goaway';
import { keepsAlive } from './http-response';

/** What one socket measured: its record without the fields the phase knows (role, round, plan). */
export type Measurement = Pick<SocketRecord, 'outcome' | 'idleS' | 'unprompted' | 'closedWith' | 'status' | 'error' | 'notAccepted' | 'silent'>;

/** The measurement of a socket that measured nothing. */
export const UNSENT: Measurement = { outcome: 'unsent', idleS: null, unprompted: false, closedWith: null, status: null };

/** A connection at its idle start, or why none could be opened. */
export type OpenedIdle = IdleConnection | { readonly error: string; readonly notAccepted?: true };

/**
 * Opens a connection and brings it to its idle start: connected (pre-request), or with a
 * first request answered (keep-alive). The socket counts against the target's budget until
 * it ends; `taken` when the caller already took it.
 */
export async function openIdle(run: PhaseRun, taken = false): Promise<OpenedIdle> {
  if (!taken && !run.sockets.tryTake()) return { error: "no socket free in the target's budget" };
  try {
    const connection = await run.wire.open(run.endpoint, {
      connectTimeoutMs: run.settings.connectTimeoutMs,
      signal: run.signal,
    });
    void connection.ended.then(() => run.sockets.give());
    run.services.track(connection);
    if (run.phase === 'preRequest') return { connection, idleSince: connection.connectedAt };
    const first = await connection.send({ timeoutMs: run.settings.responseTimeoutMs });
    if (first.kind === 'response') return { connection, idleSince: first.answeredAt };
    connection.destroy();
    if (first.kind === 'closed' && neverAccepted(first.close)) return notAcceptedRecord(`the first request got no response (${describe(first)})`);
    return { error: `the first request got no response (${describe(first)})` };
  } catch (error) {
    run.sockets.give();
    // A connect that had not completed when the deadline came was not accepted in time either.
    if (error instanceof ConnectError && (error.code === 'connect-timeout' || run.signal.aborted)) return notAcceptedRecord(error.message);
    return { error: error instanceof ConnectError ? error.message : String(error) };
  }
}

/**
 * Holds an idle connection until `idleS`, then sends the request; or records the server's
 * own close if it comes first. Returns `null` when the phase was aborted meanwhile.
 */
export async function holdAndSend(idle: IdleConnection, idleS: number, run: PhaseRun): Promise<Measurement | null> {
  const plannedAt = idle.idleSince + idleS * 1000;
  const due = alarmAt(run.clock, plannedAt, run.signal);
  try {
    return await holdUntilSent(idle, due.signal, run, undefined, plannedAt);
  } finally {
    due.cancel();
  }
}

/**
 * Holds an idle connection until `send` aborts, then sends the request (in one write when
 * aborted with `SEND_WHOLE`); or records the
 * server's own close if it comes first, or releases it (`held`) when `release` aborts.
 * Returns `null` when the phase was aborted meanwhile.
 */
export async function holdUntilSent(idle: IdleConnection, send: AbortSignal, run: PhaseRun, release?: AbortSignal, plannedAt?: number): Promise<Measurement | null> {
  const { connection, idleSince } = idle;
  try {
    // Stop waiting as soon as the server closes, so that no listener outlives its socket.
    const serverClosed = serverClosedSignal(connection);
    await firstOf([run.signal, serverClosed, send, ...(release ? [release] : [])]);
    if (run.signal.aborted) return null;
    if (serverClosed.aborted) {
      const close = await connection.ended;
      return closed(close, idleSince, close.at);
    }
    if (!send.aborted) return held(idleSince, run.clock.now());
    if (plannedAt !== undefined) run.services.noteLateness(run.clock.now() - plannedAt);
    const outcome = await connection.send({ timeoutMs: run.settings.responseTimeoutMs, whole: send.reason === SEND_WHOLE });
    // A request the server never answered on a connection it never spoke on is doubt, even when the deadline cut it.
    if (run.signal.aborted) return outcome.kind === 'closed' && neverAccepted(outcome.close) ? measurementOf(outcome, idleSince) : null;
    return measurementOf(outcome, idleSince);
  } finally {
    connection.destroy();
  }
}

/**
 * The reason to abort a held socket's `send` signal with (`holdUntilSent`) when its request must
 * go out in one write (`SendOptions.whole`): a survival asked after a sweep, answered a round
 * trip later rather than after the segments' pause (250 ms by default).
 *
 * @example
 * holding.send.abort(SEND_WHOLE);
 */
export const SEND_WHOLE = Symbol('send whole');

/** A keep-alive connection idle again since its second answer, and when that request went out (clock ms). */
export interface RestartedIdle extends IdleConnection {
  readonly sentAt: number;
}

/**
 * Sends a keep-alive connection a second request at `sendAt` (clock ms), so that its idle
 * starts again at that answer (`keepAliveIdleStartsS`). Returns the connection idle since
 * then, with the request's send (the tick test reads the server's answer time from it); or, when the server closed it first or refused the request, what the socket measured
 * from its first idle start; `null` when the phase was aborted meanwhile.
 *
 * @example
 * const restarted = await restartIdle(idle, clock.now() + 500, run);
 * if (restarted !== null && 'connection' in restarted) await holdAndSend(restarted, 60, run);
 */
export async function restartIdle(idle: IdleConnection, sendAt: number, run: PhaseRun): Promise<RestartedIdle | Measurement | null> {
  const due = alarmAt(run.clock, sendAt, run.signal);
  try {
    return await restartIdleOn(idle, due.signal, run);
  } finally {
    due.cancel();
  }
}

/**
 * `restartIdle` when `send` aborts rather than at a set time; when `release` aborts first, the
 * connection is released unused (`held`, its idle from its first idle start).
 *
 * Why an event: the aligned socket's second request goes out when the server closes another
 * connection (`alignedSockets`), a moment no schedule knows in advance.
 *
 * @example
 * const restarted = await restartIdleOn(idle, otherClosed.signal, run, horizon.signal);
 */
export async function restartIdleOn(idle: IdleConnection, send: AbortSignal, run: PhaseRun, release?: AbortSignal): Promise<RestartedIdle | Measurement | null> {
  const { connection, idleSince } = idle;
  const serverClosed = serverClosedSignal(connection);
  await firstOf([run.signal, serverClosed, send, ...(release ? [release] : [])]);
  // The cue and the release in one turn: released, no request goes out past it.
  const sending = !run.signal.aborted && !serverClosed.aborted && send.aborted && release?.aborted !== true;
  const outcome = sending ? await connection.send({ timeoutMs: run.settings.responseTimeoutMs }) : null;
  if (outcome?.kind === 'response' && keepsAlive(outcome.head) && !run.signal.aborted) return { connection, idleSince: outcome.answeredAt, sentAt: outcome.sentAt };
  connection.destroy();
  if (run.signal.aborted) return null;
  if (outcome === null && !serverClosed.aborted) return held(idleSince, run.clock.now());
  if (outcome === null) {
    const close = await connection.ended;
    return closed(close, idleSince, close.at);
  }
  // Ended after its second answer: a limit of requests per connection, not of idle time.
  if (outcome.kind === 'response') return { ...UNSENT, error: 'the server ended the connection after its second response (a limit of requests per connection)' };
  return measurementOf(outcome, idleSince);
}

/** Aborted once the server has ended the connection. */
function serverClosedSignal(connection: WireConnection): AbortSignal {
  const serverClosed = new AbortController();
  void connection.ended.then(() => serverClosed.abort());
  return serverClosed.signal;
}

/** Resolves once any of the signals is aborted. */
function firstOf(signals: AbortSignal[]): Promise<void> {
  if (signals.some((s) => s.aborted)) return Promise.resolve();
  return new Promise<void>((resolve) => AbortSignal.any(signals).addEventListener('abort', () => resolve(), { once: true }));
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

/** A connection the probe released unused at `at` (clock ms), idle since `idleSince`. */
function held(idleSince: number, at: number): Measurement {
  return { outcome: 'held', idleS: secondsSince(idleSince, at), unprompted: false, closedWith: null, status: null };
}

function closed(close: ServerClose, idleSince: number, at: number): Measurement {
  return { outcome: 'closed', idleS: secondsSince(idleSince, at), unprompted: close.unprompted, closedWith: close.closedWith, status: close.status, ...(close.silent ? { silent: true } : {}), ...goawayOf(close) };
}

function describe(outcome: RequestOutcome): string {
  if (outcome.kind === 'closed') return `closed with ${outcome.close.closedWith}`;
  if (outcome.kind === 'invalid') return outcome.reason;
  return `status ${outcome.head.status}`;
}

function secondsSince(since: number, at: number): number {
  return Math.max(0, roundS((at - since) / 1000));
}
