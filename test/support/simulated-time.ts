/**
 * Simulated time for the probe engine: a clock whose timers run as fast as the code allows.
 *
 * Why: the engine reads every moment from an injected `Clock` (lambda/probe/clock.ts), so
 * the same phase logic that holds real sockets for a minute runs here in milliseconds, with
 * every moment exact and every run replayable.
 */
import type { CancelTimer, Clock } from '../../lambda/probe/clock';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets every promise chain settled so far run on: nothing in a simulation waits on real I/O. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock that moves only when `run` has nothing left to do before its next timer.
 *
 * @example
 * const clock = new SimulatedClock();
 * const { results } = await clock.run(runProbe(jobs, options, { clock, wireOf }));
 */
export class SimulatedClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: Timer[] = [];

  /**
   * @param deliveredAt when a timer due at `at` runs: at `at` by default; later to play an event
   *   loop that is starved (`stalledLoop`), every event due during a stall seen at its end, at once.
   */
  public constructor(private readonly deliveredAt: (at: number) => number = (at) => at) {}

  public now(): number {
    return this.time;
  }

  public schedule(at: number, callback: () => void): CancelTimer {
    const timer = { at: Math.max(at, this.time), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      const index = this.timers.indexOf(timer);
      if (index >= 0) this.timers.splice(index, 1);
    };
  }

  /**
   * Runs the simulation until `work` settles: between timers, every promise chain runs to
   * where it waits on the clock again; then the clock jumps to the next timer.
   *
   * @throws when `work` waits with no timer left (a hang), or runs past `limitMs` of simulated time
   */
  public async run<T>(work: Promise<T>, limitMs = 3_600_000): Promise<T> {
    let done = false;
    void work.then(
      () => (done = true),
      () => (done = true),
    );
    const limit = this.time + limitMs;
    for (;;) {
      await settle();
      if (done) return work;
      const next = this.timers.reduce<Timer | undefined>((a, b) => (a === undefined || b.at < a.at || (b.at === a.at && b.seq < a.seq) ? b : a), undefined);
      if (next === undefined) throw new Error(`simulation stalled at ${this.time} ms: the work waits, and no timer is left to wake it`);
      if (next.at > limit) throw new Error(`simulation ran past ${limitMs} ms of simulated time`);
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = Math.max(this.time, this.deliveredAt(next.at));
      next.callback();
    }
  }
}

/**
 * An event loop starved in bursts, for `new SimulatedClock(stalledLoop(...))`: stalls up to
 * `maxStallMs` long, `everyMs` apart on average (at least half that), at seeded random moments. An event
 * due during a stall runs at its end, with every other event due meanwhile, in their order.
 *
 * Why: beside seven other jest workers on two cores (a load of 10 to 14) the loop went unrun
 * for a tenth of a second and more, and saw per-connection closes of different ages late and
 * at once, as a sweep would close them.
 *
 * @example
 * const clock = new SimulatedClock(stalledLoop(seededRandom(SEED), 300, 250));
 */
export function stalledLoop(random: () => number, everyMs: number, maxStallMs: number): (at: number) => number {
  const stalls: { readonly from: number; readonly to: number }[] = [];
  let plannedUntil = 0;
  return (at) => {
    while (plannedUntil <= at) {
      // At least half the mean apart: back to back, two stalls would be one up to twice as long.
      const from = plannedUntil + (0.5 + random()) * everyMs;
      const to = from + random() * maxStallMs;
      stalls.push({ from, to });
      plannedUntil = to;
    }
    const stall = stalls.find((s) => s.from <= at && at < s.to);
    return stall === undefined ? at : Math.ceil(stall.to);
  };
}

/**
 * A small seeded generator (mulberry32), so that a run's random choices can be replayed from
 * its printed seed.
 *
 * @example
 * const random = seededRandom(1234); random(); // 0 <= x < 1, the same sequence every time
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The seed of a test file's random choices: `env` when set (to replay a failure), else a new one.
 *
 * @example
 * const SEED = testSeed('SWEEP_SEED'); // SWEEP_SEED=1234 npx jest ... replays seed 1234
 */
export function testSeed(env: string): number {
  return Number(process.env[env] ?? Date.now() % 2 ** 31);
}
