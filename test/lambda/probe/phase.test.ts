/**
 * The phase runner alone, in simulated time, its state (phase-state.ts) read as the phase goes:
 * the same `runPhase` that holds real sockets, against simulated backends, with every moment exact.
 */
import { runPhase, type PhaseRun } from '../../../lambda/probe/phase';
import { newPhaseState, type PhaseState } from '../../../lambda/probe/phase-state';
import { SocketBudget } from '../../../lambda/probe/budget';
import { defaultSweepStepS, staggerOffsetsS } from '../../../lambda/probe/plan';
import type { SocketRecord } from '../../../lambda/probe/types';
import { SimulatedClock } from '../../support/simulated-time';
import { simulatedServer, type IdleRule } from '../../support/simulated-server';

const LB_S = 60;
const HORIZON_S = 66;
const STEP_S = defaultSweepStepS(HORIZON_S);

/** What the state showed when a socket's record came. */
interface Seen {
  readonly record: SocketRecord;
  readonly atS: number;
  readonly held: number;
  readonly narrowing: boolean;
  readonly watchingNextSweep: boolean;
}

/**
 * Runs a pre-request phase with staggered sockets behind a 60 s load balancer against a
 * simulated server that idles by `rule`, and returns the state at its end and as each record came.
 */
async function runStaggered(rule: IdleRule, phaseMs = 0, rttMs = 1): Promise<{ state: PhaseState; seen: Seen[] }> {
  const clock = new SimulatedClock();
  const server = simulatedServer(clock, { preRequest: rule, keepAlive: { kind: 'never' }, phaseMs, rttMs });
  const state = newPhaseState(clock.now());
  const seen: Seen[] = [];
  const run: PhaseRun = {
    phase: 'preRequest',
    endpoint: { address: '127.0.0.1', port: 8080, tls: false },
    wire: server.wireOf({ host: '127.0.0.1', port: 8080, tls: false, path: '/' }, { segmentPauseMs: 250 }),
    horizonS: HORIZON_S,
    roundOneS: [],
    stagger: { offsetsS: staggerOffsetsS(HORIZON_S, LB_S, STEP_S), firstTestS: LB_S + 1 + STEP_S, awaitSweepS: HORIZON_S / 2, toleranceS: STEP_S / 4, passS: LB_S + 1 },
    sockets: new SocketBudget(19, clock),
    deadline: Number.POSITIVE_INFINITY,
    signal: new AbortController().signal,
    settings: { connectTimeoutMs: 5000, responseTimeoutMs: 5000, precisionS: 0.5 },
    services: { track: () => undefined, lagS: () => 0.001, loopLagS: () => 0.001, noteLateness: () => undefined },
    clock,
    onSocket: (record) =>
      seen.push({ record, atS: clock.now() / 1000, held: state.holdings.size, narrowing: state.narrowing, watchingNextSweep: state.watchingNextSweep }),
  };
  await clock.run(runPhase(run, state));
  return { state, seen };
}

describe('runPhase, its state read in simulated time', () => {
  it('lets every socket a sweep bracketed before the horizon spared wait for the next sweep, then settles with nothing held', async () => {
    // Act: Node.js 22 defaults, checks at 2, 32, 62 and 92 s: the one at 62 s brackets the threshold
    const { state, seen } = await runStaggered({ kind: 'sweep', thresholdMs: 60_000, intervalMs: 30_000 }, 2000);

    // Assess: none released as the wait began (under several worker processes, only sockets held
    // across another's sweep show it): the sweep at 92 s closed every one, all past the threshold by then
    const closedAt92 = seen.filter((s) => s.record.outcome === 'closed' && s.record.unprompted && Math.abs(s.atS - 92) < 0.1);
    expect(closedAt92.length).toBeGreaterThan(1);
    expect(seen.some((s) => s.record.outcome === 'held')).toBe(false);
    expect(seen[seen.length - 1].atS).toBeCloseTo(92, 1);
    expect(state).toMatchObject({ watchingNextSweep: true, narrowing: false });
    expect(state.settled.signal.aborted).toBe(true);
    expect(state.holdings.size).toBe(0);
  });

  it('narrows a lazy limit with a chain that runs once the staggered sockets have sent theirs', async () => {
    // Act: a connection refused only by a request after 40 s of idle
    const { state, seen } = await runStaggered({ kind: 'lazy', afterMs: 40_000 });

    // Assess: the chain's sockets (round 2 on) were recorded while it ran, none before the horizon
    const chain = seen.filter((s) => s.record.round > 1);
    expect(chain.length).toBeGreaterThan(0);
    expect(chain.every((s) => s.narrowing && s.atS > HORIZON_S)).toBe(true);
    expect(state).toMatchObject({ narrowing: false, narrowingHeld: false });
    expect(state.chainStartWidthS).toBeLessThan(2);
  });

  it('holds every staggered socket of a coarse clock until the server closes it, and settles on the last close', async () => {
    // Act: idle counted in whole seconds, closed at the 60th tick
    const { state, seen } = await runStaggered({ kind: 'coarse', ticks: 60, tickMs: 1000 }, 400);

    // Assess: the held sockets went one close at a time, none released, the last close ended the phase
    const closes = seen.filter((s) => s.record.outcome === 'closed' && s.record.unprompted);
    expect(closes.length).toBeGreaterThanOrEqual(16);
    expect(seen.some((s) => s.record.outcome === 'held')).toBe(false);
    expect(closes.map((s) => s.held)).toEqual([...closes.map((s) => s.held)].sort((a, b) => b - a));
    expect(Math.min(...closes.map((s) => s.record.idleS!))).toBeLessThan(59.1);
    expect(state.settled.signal.aborted).toBe(true);
    expect(state.holdings.size).toBe(0);
    expect(state.lastUnpromptedCloseAt / 1000).toBeCloseTo(closes[closes.length - 1].atS, 3);
  });

  it('starts each staggered socket\'s idle at its offset after the passive socket\'s, whatever a connect takes', async () => {
    // Act: connects that take 40 ms, against a server that never closes
    const { seen } = await runStaggered({ kind: 'never' }, 0, 40);

    // Assess: opened at their offsets, their idles would have started 40 ms late (a coarse clock read a step plus a connect)
    const opened = seen.filter((s) => s.record.role === 'staggered').map((s) => s.record.openedS!);
    expect(opened.sort((a, b) => a - b)).toEqual(staggerOffsetsS(HORIZON_S, LB_S, STEP_S));
  });
});
