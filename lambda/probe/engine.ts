/**
 * The probe engine: many targets at once, within socket, time and abort limits.
 */
import { setMaxListeners } from 'node:events';
import { withDefaults } from '../shared/defaults';
import { DEFAULTS } from '../shared/settings';
import { SocketBudget } from './budget';
import { realClock, watchLag, type Clock } from './clock';
import { wireOf } from './wire';
import type { WireConnection, WireFactory } from './wire/types';
import { defaultHorizonS, defaultSweepStepS, roundS } from './plan';
import { probeTarget, unstartedResult } from './target';
import { PHASE_NAMES, type PhaseName, type ProbeJob, type ProbeOptions, type ProbeResult } from './types';

/** Defaults of `ProbeOptions`, merged once per run. */
export const defaults = {
  phases: PHASE_NAMES,
  maxSocketsPerTarget: DEFAULTS.maxSocketsPerTarget,
  maxOpenSockets: DEFAULTS.maxOpenSockets,
  timeBudgetMs: Number.POSITIVE_INFINITY,
  connectTimeoutMs: 5000,
  responseTimeoutMs: 10_000,
  // Long enough that a backend whose event loop stalls (GC, a slow handler) still reads the two
  // segments apart: at 25 ms, a loaded lazy backend read them as one chunk and passed (the
  // shards benchmark: 57 to 130 of 500 lazy backends; none at 250 ms).
  segmentPauseMs: 250,
  precisionS: DEFAULTS.precisionS,
  marginS: DEFAULTS.marginS,
} as const;

/** Timers and socket events are seen to the millisecond at best. */
const MIN_LAG_MS = 1;

/**
 * How often the event loop's lag is sampled while a run probes, in ms: a stall is measured to
 * within this, well inside the quarter step (0.125 s at the least) that closes are told apart by.
 */
const LAG_SAMPLE_MS = 50;

/** Figures of a whole run, for benchmarks and logs. */
export interface ProbeRunStats {
  readonly socketsOpened: number;
  readonly peakOpenSockets: number;
  /** The latest any planned send went out, in milliseconds. */
  readonly maxTimerLatenessMs: number;
  readonly elapsedS: number;
}

/**
 * What a run reads time from and speaks to its targets with.
 *
 * Why apart from `ProbeOptions`: production always runs on the event loop's clock and real
 * sockets; unit tests run the same engine on a simulated clock and simulated servers.
 */
export interface ProbeIo {
  readonly clock: Clock;
  readonly wireOf: WireFactory;
}

/** Real time and real sockets, in the HTTP version of each target (`wireOf`). */
const REAL_IO: ProbeIo = { clock: realClock, wireOf };

export interface ProbeRun {
  /** One result per job, in job order. */
  readonly results: ProbeResult[];
  readonly stats: ProbeRunStats;
}

/**
 * Probes every job and returns one contract result per job, in order.
 *
 * Why one engine for many targets: waiting is most of a probe, so a run holds many
 * targets' sockets at once and costs about one horizon whatever the number of targets,
 * up to the open-socket cap; targets beyond the cap wait for a free share.
 *
 * @example
 * const [result] = await probeTargets([
 *   { target: { host: '10.0.1.7', port: 30080, tls: false, path: '/health' }, loadBalancerIdleTimeoutS: 60 },
 * ]);
 * console.log(result.phases.preRequest?.verdict);
 */
export async function probeTargets(jobs: readonly ProbeJob[], options: ProbeOptions = {}): Promise<ProbeResult[]> {
  return (await runProbe(jobs, options)).results;
}

/** `probeTargets` with the run's figures; `io` for runs on another clock or wire. */
export async function runProbe(jobs: readonly ProbeJob[], options: ProbeOptions = {}, io: ProbeIo = REAL_IO): Promise<ProbeRun> {
  const settings = withDefaults(defaults, options);
  const started = io.clock.now();
  const deadline = started + settings.timeBudgetMs;
  const signal = linkedSignal(options.signal);
  const perTarget = Math.max(1, Math.min(settings.maxSocketsPerTarget, settings.maxOpenSockets));
  // The open-socket cap, shared whole budget by whole budget in arrival order.
  const slots = new SocketBudget(settings.maxOpenSockets, io.clock);
  const open = new Set<WireConnection>();
  let socketsOpened = 0;
  let peakOpenSockets = 0;
  let maxTimerLatenessMs = 0;
  const loopLag = watchLag(io.clock, LAG_SAMPLE_MS);
  const services = {
    track: (connection: WireConnection) => {
      socketsOpened++;
      open.add(connection);
      peakOpenSockets = Math.max(peakOpenSockets, open.size);
      void connection.ended.then(() => open.delete(connection));
    },
    // A close is seen as late as the event loop is busy; planned sends measure how busy it gets.
    lagS: () => Math.max(maxTimerLatenessMs, MIN_LAG_MS) / 1000,
    // Samples measure it also when no send was planned (a short timer closes every socket first).
    loopLagS: () => Math.max(maxTimerLatenessMs, loopLag.lateMs(), MIN_LAG_MS) / 1000,
    noteLateness: (ms: number) => (maxTimerLatenessMs = Math.max(maxTimerLatenessMs, ms)),
  };
  const closeAll = () => open.forEach((connection) => connection.destroy());
  signal.addEventListener('abort', closeAll, { once: true });

  try {
    const results = await Promise.all(
      jobs.map(async (job) => {
        const horizonS = job.horizonS ?? defaultHorizonS(job.loadBalancerIdleTimeoutS);
        const phases: readonly PhaseName[] = settings.phases;
        const slot = await slots.take(signal, perTarget, deadline);
        if (!slot) {
          const why = signal.aborted ? 'the run was aborted before this target started' : 'the time budget ran out before this target started';
          return finish(unstartedResult(job, horizonS, phases, why, settings.marginS));
        }
        options.onEvent?.({ type: 'target-start', target: job.target, horizonS });
        try {
          return finish(
            await probeTarget({
              job,
              horizonS,
              phases,
              maxSockets: perTarget,
              marginS: settings.marginS,
              sweepStepS: Math.max(settings.precisionS, options.sweepPrecisionS ?? defaultSweepStepS(horizonS)),
              deadline,
              signal,
              settings,
              services,
              clock: io.clock,
              wireOf: io.wireOf,
              onSocket: (phase, socket) => options.onEvent?.({ type: 'socket', target: job.target, phase, socket }),
            }),
          );
        } finally {
          slots.give(perTarget);
        }
      }),
    );
    return {
      results,
      stats: {
        socketsOpened,
        peakOpenSockets,
        maxTimerLatenessMs: roundS(maxTimerLatenessMs),
        elapsedS: roundS((io.clock.now() - started) / 1000),
      },
    };
  } finally {
    loopLag.stop();
    signal.removeEventListener('abort', closeAll);
    // No socket outlives the run, whatever ended it.
    closeAll();
  }

  function finish(result: ProbeResult): ProbeResult {
    options.onEvent?.({ type: 'target-done', result });
    return result;
  }
}

/**
 * The run's own abort signal, following the caller's.
 *
 * Why: every target and held socket listens for the abort; a signal of the engine's own can
 * take that many listeners without warnings, and the caller's signal gets only one.
 */
function linkedSignal(outer: AbortSignal | undefined): AbortSignal {
  const inner = new AbortController();
  setMaxListeners(0, inner.signal);
  if (outer?.aborted) inner.abort(outer.reason);
  else outer?.addEventListener('abort', () => inner.abort(outer.reason), { once: true });
  return inner.signal;
}
