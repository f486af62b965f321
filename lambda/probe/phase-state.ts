/**
 * What a phase knows and has decided so far, in one explicit state that its jobs (held sockets,
 * staggering and sweeps, lazy narrowing) read and update.
 *
 * Why explicit: the phase's decisions hang on it (whether a narrowing chain runs, whether the
 * held sockets wait for the next sweep, when the server last closed a socket), and a test
 * that drives a phase in simulated time can read it at any moment, not only the records.
 */
import { setMaxListeners } from 'node:events';
import type { IdleConnection } from './phase';
import type { SocketRecord } from './types';

/** A held socket and how the phase ends its wait. */
export interface Holding {
  readonly idle: IdleConnection;
  readonly plannedIdleS: number;
  /** Aborted: send the request now. */
  readonly send: AbortController;
  /** Aborted: release the socket unused. */
  readonly release: AbortController;
  /** Resolves once the socket's outcome is recorded. */
  finished?: Promise<void>;
}

/** The state of one phase run. */
export interface PhaseState {
  /** clock ms every `openedS` is counted from: the passive socket's idle start once it has one. */
  origin: number;
  /** Every socket's record so far, in the order their outcomes came. */
  readonly records: SocketRecord[];
  /** The sockets held now, until the phase sends their requests or releases them. */
  readonly holdings: Set<Holding>;
  /** Aborted once the phase has its answer: held sockets are released, no more are opened. */
  readonly settled: AbortController;
  /** A narrowing chain runs. */
  narrowing: boolean;
  /** No chain starts: the staggered sockets send their requests at the horizon first. */
  narrowingHeld: boolean;
  /**
   * The bracket's width when the last narrowing chain started: a chain that ends short of the
   * precision (its later sockets aged past the bracket while the answers took their send
   * spread) is followed by another, as long as each leaves the bracket narrower.
   */
  chainStartWidthS: number;
  /** A sweep's bracket is known before the horizon, and the sockets it spared wait for the next sweep. */
  watchingNextSweep: boolean;
  /** When the server last closed a socket by itself (clock ms). */
  lastUnpromptedCloseAt: number;
}

/**
 * The state of a phase that starts at `now` (clock ms).
 *
 * @example
 * const state = newPhaseState(clock.now());
 * await runPhase(run, state);
 * state.watchingNextSweep; // true when a sweep was bracketed before the horizon
 */
export function newPhaseState(now: number): PhaseState {
  const settled = new AbortController();
  // Every held socket listens to it: up to the target's socket budget at once.
  setMaxListeners(0, settled.signal);
  return {
    origin: now,
    records: [],
    holdings: new Set(),
    settled,
    narrowing: false,
    narrowingHeld: false,
    chainStartWidthS: Number.POSITIVE_INFINITY,
    watchingNextSweep: false,
    lastUnpromptedCloseAt: Number.NEGATIVE_INFINITY,
  };
}
