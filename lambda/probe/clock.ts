/**
 * Time as the probe sees it: a monotonic millisecond clock and timers on it.
 *
 * Why injected: every decision of a phase (when to open, send, release, stop) is a moment on
 * this clock. Production runs it on `performance.now()` and the event loop's timers; unit
 * tests run the same logic on a simulated clock, a minute of probing in milliseconds.
 */
import { performance } from 'node:perf_hooks';

/** A cancellable timer: calling it cancels the callback if it has not run. */
export type CancelTimer = () => void;

/**
 * A monotonic clock in milliseconds, with timers on it.
 *
 * @example
 * const cancel = clock.schedule(clock.now() + 1000, () => console.log('a second later'));
 */
export interface Clock {
  /** Milliseconds on a monotonic axis (only differences mean anything). */
  now(): number;
  /** Runs `callback` once the clock reaches `at` (at once, in a later task, if it already has). */
  schedule(at: number, callback: () => void): CancelTimer;
}

/**
 * The event loop's clock: `performance.now()` and `setTimeout`.
 *
 * Why re-armed: timers run on the event loop's millisecond clock and may fire up to 1 ms
 * before `performance.now()` reaches the moment asked for.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  schedule(at, callback) {
    let timer: NodeJS.Timeout;
    const arm = () => {
      const remaining = at - performance.now();
      if (remaining > 0) timer = setTimeout(arm, Math.min(Math.ceil(remaining), 2 ** 31 - 1));
      else callback();
    };
    timer = setTimeout(arm, Math.min(Math.max(0, Math.ceil(at - performance.now())), 2 ** 31 - 1));
    return () => clearTimeout(timer);
  },
};

/** Resolves `true` once `clock` reaches `at`, or `false` as soon as `signal` aborts. */
export function waitUntil(clock: Clock, at: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (clock.now() >= at) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      cancel();
      resolve(false);
    };
    const cancel = clock.schedule(at, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A moment on a clock as a signal (`alarmAt`). */
export interface Alarm {
  /** Aborted once the clock reaches the moment; never when cancelled or stopped first. */
  readonly signal: AbortSignal;
  /** `true` once the moment is reached, `false` once cancelled or stopped first (as `waitUntil`). */
  readonly reached: Promise<boolean>;
  /** Stops waiting, so that no timer outlives what it was set for. */
  readonly cancel: CancelTimer;
}

/**
 * A signal aborted once `clock` reaches `at`, unless `stop` aborts or the alarm is cancelled first.
 *
 * Why: a socket waits for its moment beside other events (the server's close, a release), so
 * the moment must be a signal among theirs; and its timer must end with the socket, not at
 * the moment, or every socket closed early left one behind until its planned send.
 *
 * @example
 * const due = alarmAt(clock, idleSince + 60_000, run.signal);
 * try {
 *   await holdUntilSent(idle, due.signal, run);
 * } finally {
 *   due.cancel();
 * }
 */
export function alarmAt(clock: Clock, at: number, stop: AbortSignal): Alarm {
  const due = new AbortController();
  const cancelled = new AbortController();
  const reached = waitUntil(clock, at, AbortSignal.any([stop, cancelled.signal])).then((isReached) => {
    if (isReached) due.abort();
    return isReached;
  });
  return { signal: due.signal, reached, cancel: () => cancelled.abort() };
}

/**
 * Runs `callback` every `periodMs` until cancelled, with the moment each run was due (clock ms).
 *
 * @example
 * const stop = every(clock, 50, checkSweeps);
 */
export function every(clock: Clock, periodMs: number, callback: (dueAt: number) => void): CancelTimer {
  let cancel: CancelTimer;
  const tick = (at: number) => {
    cancel = clock.schedule(at, () => {
      tick(at + periodMs);
      callback(at);
    });
  };
  tick(clock.now() + periodMs);
  return () => cancel();
}

/** The event loop's lateness as sampled (`watchLag`). */
export interface LagWatch {
  /** The latest a sample ran, or the one due now is running, in ms. */
  lateMs(): number;
  readonly stop: CancelTimer;
}

/**
 * Samples how late the event loop runs, every `periodMs` until stopped.
 *
 * Why sampled: a close is seen as late as the loop is busy, and the planned sends that measure
 * it may come long after (a 0.5 s keep-alive timer closes every socket before any sends). Why
 * the sample due and not yet run counts too: closes seen at the end of a stall are handled
 * before the sample due during it, and a phase judged then knew nothing of the stall. Either
 * way a stall is measured to within the period.
 *
 * @example
 * const lag = watchLag(clock, 50);
 * lag.lateMs(); // 180 after a 200 ms stall
 * lag.stop();
 */
export function watchLag(clock: Clock, periodMs: number): LagWatch {
  let maxMs = 0;
  let nextDueAt = clock.now() + periodMs;
  const stop = every(clock, periodMs, (dueAt) => {
    maxMs = Math.max(maxMs, clock.now() - dueAt);
    nextDueAt = dueAt + periodMs;
  });
  return { lateMs: () => Math.max(maxMs, clock.now() - nextDueAt), stop };
}
