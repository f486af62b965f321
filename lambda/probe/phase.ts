/**
 * Runs one phase of one target: a passive socket, staggered sockets and the sweeps they meet
 * (or a first round of active sockets), and a chain of narrowing sockets once a lazy limit shows.
 *
 * The decisions (which idles, when to open, when the phase has its answer) come from
 * `plan.ts`, `phase-result.ts` and `sweep.ts`; the socket primitives from `held-socket.ts`, the
 * narrowing chain from `narrowing.ts`; every moment from the run's clock, every byte through
 * its wire, so that the same logic runs on real sockets and in simulated time.
 */
import type { SocketBudget } from './budget';
import { alarmAt, every, waitUntil, type CancelTimer, type Clock } from './clock';
import type { Endpoint, Wire, WireConnection } from './wire/types';
import { ALIGNED_LEAD_S, COARSE_TICK_S, SWEEP_COVERAGE, TICK_TEST_PAST_S, TICK_TEST_SLACK_S, alignedOutdone, alignedShowsIdleCheck, narrowingScheduleS, needsNarrowing, roundS, tickTestMomentS } from './plan';
import { currentBracket } from './phase-result';
import { CONFIRM_AFTER_SWEEP_S, ageSlackS, analyzeSweeps, exceptCrossings, dependsOnConnectMoment, spansOf, survivalMarginS, type IdleSpan, type PeriodicAnalysis } from './sweep';
import { SEND_WHOLE, UNSENT, holdAndSend, holdUntilSent, openIdle, restartIdle, restartIdleOn, type Measurement, type OpenedIdle } from './held-socket';
import { narrow } from './narrowing';
import { newPhaseState, type Holding, type PhaseState } from './phase-state';
import type { PhaseName, SocketRecord } from './types';

/** A connection that is idle since a known moment. */
export interface IdleConnection {
  readonly connection: WireConnection;
  /** clock ms: connect (pre-request) or the end of the first response (keep-alive). */
  readonly idleSince: number;
}

/** The run-wide services a phase uses: socket accounting and timing. */
export interface RunServices {
  /** Called for every connection opened, so that the run can close all of them. */
  track(connection: WireConnection): void;
  /** The longest the event loop has been late so far, in seconds. */
  lagS(): number;
  /**
   * The longest the event loop was seen late by the run's own samples too, in seconds: how late
   * a close may have been seen, however early it came. Only to tell ages apart (sweeps from
   * timers); brackets keep `lagS`, or every eager limit on a busy host would be narrowed.
   */
  loopLagS(): number;
  /** Records how late a planned send went out, in milliseconds. */
  noteLateness(ms: number): void;
}

export interface PhaseSettings {
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly precisionS: number;
}

/** Staggered sockets: when they connect, and how long a target that may sweep is awaited. */
export interface Stagger {
  /** Idle starts after the passive socket's, in seconds (`staggerOffsetsS`). */
  readonly offsetsS: readonly number[];
  /**
   * At the horizon the youngest socket idle at least this long (the load balancer's timeout
   * plus the margin, or one step when wider) sends its request first: the lazy test, whose
   * answer decides whether the others wait for a sweep. The older ones wait on: a sweep just
   * past the horizon closes them and spares a younger one idle past the timeout plus the
   * margin, the evidence that a threshold lies beyond it.
   */
  readonly firstTestS: number;
  /** Wait this much past the horizon for a sweep, when nothing closed by then; 0 for none. */
  readonly awaitSweepS: number;
  /** Closes within this many seconds of each other are one sweep. */
  readonly toleranceS: number;
  /** The idle a pass needs seen to survive a sweep: the load balancer's timeout plus the margin. */
  readonly passS: number;
}

/** What the keep-alive phase's aligned socket follows of the pre-request phase's passive socket. */
export interface AlignWith {
  /** The socket once idle; `null` when it could not be opened or the phase ended first. */
  readonly passive: Promise<IdleConnection | null>;
  /** The idle at which the server closed it, in seconds (its record's); `null` when it did not. */
  readonly closedAfterS: Promise<number | null>;
}

/** Everything one phase run needs. */
export interface PhaseRun {
  readonly phase: PhaseName;
  readonly endpoint: Endpoint;
  /** The protocol the phase's connections speak. */
  readonly wire: Wire;
  readonly horizonS: number;
  /** Planned idles of the first round of active sockets. */
  readonly roundOneS: readonly number[];
  /**
   * Keep-alive: at which moment of a coarse clock's tick each first-round active starts its
   * idle, in seconds after the passive socket's idle start (`keepAliveIdleStartsS`): a second
   * request is sent to be answered then. 0 or absent: at its first answer.
   */
  readonly idleStartsS?: readonly number[];
  readonly stagger?: Stagger;
  /** An already idle connection to use as the passive socket (keep-alive: the first probe's). */
  readonly passive?: IdleConnection;
  /** Told the passive socket once it is idle, or `null` when it could not be opened (pre-request: what the aligned socket opens after). */
  readonly onPassive?: (passive: IdleConnection | null) => void;
  /** Keep-alive: the pre-request phase's passive socket, for one more socket aligned with it (`alignedSockets`); absent for none. */
  readonly alignWith?: AlignWith;
  /**
   * Keep-alive with sockets at two moments of a second (`keepAliveIdleStartsS`): the idle a pass
   * needs (the load balancer's timeout plus the margin), tested once more at a coarse clock's
   * worst moment when the passive socket closes less than a tick past it (`tickTestMomentS`).
   */
  readonly tickTestS?: number;
  /** The target's sockets open at once. */
  readonly sockets: SocketBudget;
  /** clock ms after which no socket is opened or held. */
  readonly deadline: number;
  /** Aborted when the target must stop (deadline, run aborted). */
  readonly signal: AbortSignal;
  readonly settings: PhaseSettings;
  readonly services: RunServices;
  /** The clock every moment of the phase is read from and waited on. */
  readonly clock: Clock;
  readonly onSocket: (record: SocketRecord) => void;
}

/**
 * Runs a phase to its end (or until aborted) and returns every socket's record.
 *
 * `state` is what its jobs read and update (phase-state.ts): a test may pass its own to read it.
 */
export async function runPhase(run: PhaseRun, state: PhaseState = newPhaseState(run.clock.now())): Promise<SocketRecord[]> {
  const { records, holdings, settled } = state;
  const tasks: Promise<void>[] = [];
  const phaseSignal = AbortSignal.any([run.signal, settled.signal]);
  // After the first close, the closes still to come (or not) tell sweeps from timers: look again often.
  let sweepWatch: CancelTimer | undefined;
  // And once more when the latest close's survivors show, not up to a tolerance later.
  let survivorsWatch: CancelTimer | undefined;
  let readsWatch: CancelTimer | undefined;
  // In the wait past the horizon, a sweep's survivors past the pass line are asked (`confirmSurvivors`).
  let confirming = false;
  let confirmWatch: CancelTimer | undefined;
  const stopWatching = (): void => {
    sweepWatch?.();
    survivorsWatch?.();
    readsWatch?.();
    confirmWatch?.();
  };

  const openedS = (idleSince: number) => roundS((idleSince - state.origin) / 1000);
  /** The `openedS` of a record measured from `idleSince`: none when it measured nothing (unsent). */
  const openedSOf = (measured: Measurement, idleSince: number): { openedS?: number } => (measured.outcome === 'unsent' ? {} : { openedS: openedS(idleSince) });
  const maybeNarrow = (): void => {
    if (state.narrowing || state.narrowingHeld || run.signal.aborted) return;
    // A request that met a sweep's close on its way is no lazy failure to narrow: read as one, a
    // 66 s threshold was narrowed by a chain that held the target 66 s more.
    const narrowable = run.stagger === undefined ? records : exceptCrossings(records, analyzeSweeps(spansOf(records), run.stagger.toleranceS, run.services.loopLagS()), run.stagger.toleranceS);
    const bracket = currentBracket(narrowable, run.services.lagS());
    if (bracket === null || !needsNarrowing(bracket, run.settings.precisionS)) return;
    const widthS = bracket.failedS - bracket.survivedS;
    if (widthS >= state.chainStartWidthS) return;
    const schedule = narrowingScheduleS(widthS, run.settings.precisionS, Number.POSITIVE_INFINITY);
    if (schedule.length === 0) return;
    state.narrowing = true;
    state.chainStartWidthS = widthS;
    tasks.push(
      narrow(run, schedule, records, record, state.origin).finally(() => {
        state.narrowing = false;
        maybeNarrow();
      }),
    );
  };
  const checkSweeps = (): void => {
    if (run.stagger === undefined || settled.signal.aborted) return;
    const recorded = spansOf(records);
    const loopLagS = run.services.loopLagS();
    // Not once a sweep's bracket is known and the sockets it spared wait for the next one.
    if (!state.watchingNextSweep && dependsOnConnectMoment(recorded, run.stagger.toleranceS, Math.max(2 * loopLagS, CLOSE_NOISE_S))) {
      // Every held socket is kept until the server closes it: settled at the first closes, a
      // 60 s coarse clock read 59.15 to 59.87 s, not its earliest close (59 s).
      if (stillIdle().length === 0) settled.abort();
      return;
    }
    // Every socket still held is being ended by the server (an unsolicited answer it never
    // finishes, a close not yet recorded): none can show a survival. Waited on, a server that
    // starts a 408 at 0.3 s and never finishes it held the phase to its time budget.
    if (holdings.size > 0 && stillIdle().length === 0) return settled.abort();
    const analysis = analyzeSweeps([...recorded, ...heldSpans(run.stagger)], run.stagger.toleranceS, loopLagS);
    if (analysis.kind === 'per-connection') return settled.abort();
    if (analysis.kind !== 'periodic' || analysis.survivedS === null || olderStillHeld(analysis, run.stagger, loopLagS)) return;
    // Released as it came, the youngest socket's survival of a second sweep (the pass evidence)
    // was lost; not once a sweep past the horizon has answered survivors past the pass line.
    const passShown = answeredPast(recorded, run.stagger, loopLagS);
    if (run.clock.now() < survivorsShownAt(run.stagger) && !passShown) return;
    // The next sweep the held sockets waited for has come, and its closes are read. Left to the
    // wait's end, a coarse clock's phase (ticks a second apart) ran half a horizon longer.
    if (state.watchingNextSweep) return analysis.sweepsSeen > 1 ? settled.abort() : undefined;
    if (analysis.sweepsSeen > 1) return settled.abort();
    if (analysis.firstSweepS >= run.horizonS) {
      // A bracket across the pass line (a sweep just past the horizon met no socket between the
      // two) is decided by the next sweep, within the wait: the held sockets are older by then.
      const straddles = analysis.survivedS < run.stagger.passS && analysis.failedS > run.stagger.passS;
      return straddles ? undefined : settled.abort();
    }
    // The bracket is known before the horizon: the held sockets wait for the next sweep, which
    // shows the interval (it comes within one interval of the first). All of them, not the
    // oldest survivor alone: under several sweep schedules (worker processes) the next sweep may
    // be another worker's, and only sockets older than one it closes that outlive it show that
    // (`analyzeSweeps`); with the others released, Node.js defaults in two workers 10 s apart
    // read as one schedule swept every 20 s and passed behind 60 s, simulated.
    state.watchingNextSweep = true;
    const until = Math.min(state.origin + (analysis.firstSweepS + run.horizonS * SWEEP_COVERAGE) * 1000, run.deadline - ANSWER_RESERVE_MS);
    void waitUntil(run.clock, until, phaseSignal).then(() => settled.abort());
    if (holdings.size === 0) settled.abort();
  };
  /**
   * Whether a sweep past the horizon has answered survivors past the pass line
   * (`confirmSurvivors`), judged from the server's closes and answers alone.
   *
   * Why not from idle spans (held sockets, released or refused ones): a socket is a survivor by
   * its idle only once every close of the sweep is read (`survivorsShownAt`). Settled as soon as
   * held sockets had outlived the sweep's first close by the tolerance, a sweep whose closes
   * were read 10 ms apart left sockets it had closed held, their closes unread, and a 3.5 s
   * threshold passed behind 3 s with a 0.5 s margin. An answer proves its survival whatever
   * closes are still unread: a socket the sweep closed cannot answer.
   */
  const answeredPast = (recorded: readonly IdleSpan[], stagger: Stagger, loopLagS: number): boolean => {
    const shown = recorded.filter((s) => s.closedByServer || s.answered === true);
    const analysis = analyzeSweeps(shown, stagger.toleranceS, loopLagS);
    return analysis.kind === 'periodic' && analysis.firstSweepS >= run.horizonS && analysis.survivedS !== null && analysis.survivedS >= stagger.passS;
  };
  /**
   * Whether a held socket, no close of it seen, was older at the latest sweep than the youngest
   * socket the sweeps closed (by the ages' slack): under one sweep schedule its close of that
   * sweep is still to be read; under several (worker processes that each sweep at their own
   * moments) the sweep was not its own. Either way the sweep's survivals settle nothing yet, and
   * none is asked (`confirmSurvivors`): held on, such a socket shows several schedules to
   * `analyzeSweeps`, where released at once (a survivor asked and answered) Node.js defaults in two
   * workers 10 s apart passed behind 60 s.
   */
  const olderStillHeld = (analysis: PeriodicAnalysis, stagger: Stagger, loopLagS: number): boolean => {
    return stillIdle().some((h) => ageAtLatestSweepS(analysis, h) > analysis.failedS + ageSlackS(stagger.toleranceS, loopLagS));
  };
  /** The held sockets the server has not started to end (a close seen, or an unsolicited answer begun). */
  const stillIdle = (): Holding[] => [...holdings].filter((h) => !h.idle.connection.closing);
  /** How long a held socket had idled at the latest sweep, in seconds. */
  const ageAtLatestSweepS = (analysis: PeriodicAnalysis, holding: Holding): number => analysis.sweepsAtS[analysis.sweepsAtS.length - 1] - openedS(holding.idle.idleSince);
  /**
   * The held sockets as idle spans, up to now less half the survival margin, but those the
   * server has started to end.
   *
   * Why: a held socket counts as a sweep's survivor once it has outlived it by the tolerance and
   * a margin; released at once, its record (rounded to the millisecond) could show it idle only
   * to the tolerance's edge, no survivor by `analyzeSweeps`' rule, and the bracket it gave was lost.
   */
  const heldSpans = (stagger: Stagger): IdleSpan[] => {
    const heldUntilS = openedS(run.clock.now()) - survivalMarginS(stagger.toleranceS) / 2;
    return stillIdle().map((h) => ({ openedS: openedS(h.idle.idleSince), endS: heldUntilS, closedByServer: false }));
  };
  /**
   * Sends the requests of the held sockets that the latest sweep spared past the pass line (and
   * younger than the youngest it closed), each in one write: an answer proves the survival that
   * passes the phase (`ANSWERED_AFTER_SWEEP_S`), a round trip after the sweep.
   *
   * Why only once the closes show a sweep: a coarse clock's single close at a tick spares
   * sockets that its next ticks close sooner after their connect; answered then, they would pass
   * an earliest close below the line. Why only past the line: the younger ones are kept for the
   * next sweep, which a bracket across the line still needs. Why not when a close at or below
   * the line already fails the phase: the sockets older than it are closing.
   */
  const confirmSurvivors = (stagger: Stagger): void => {
    if (settled.signal.aborted) return;
    const loopLagS = run.services.loopLagS();
    const analysis = analyzeSweeps([...spansOf(records), ...heldSpans(stagger)], stagger.toleranceS, loopLagS);
    if (analysis.kind !== 'periodic' || analysis.failedS <= stagger.passS || olderStillHeld(analysis, stagger, loopLagS)) return;
    for (const h of stillIdle()) {
      const ageS = ageAtLatestSweepS(analysis, h);
      if (ageS > stagger.passS && ageS < analysis.failedS) h.send.abort(SEND_WHOLE);
    }
  };
  settled.signal.addEventListener(
    'abort',
    () => {
      stopWatching();
      holdings.forEach((h) => h.release.abort());
    },
    { once: true },
  );
  /**
   * When the held sockets have outlived the latest sweep by the tolerance and a margin
   * (`survivalMarginS`), so that their records show them as its survivors (`analyzeSweeps`
   * counts a socket that outlived a sweep by the tolerance; one released at once could show it
   * only to the tolerance's edge, rounded).
   */
  const survivorsShownAt = (stagger: Stagger, closedAt = state.lastUnpromptedCloseAt): number => closedAt + (stagger.toleranceS + survivalMarginS(stagger.toleranceS)) * 1000;
  /**
   * Checks the sweeps a millisecond from now, once the event loop has read its sockets: a timer
   * runs before the socket events of its turn. After a stall longer than the tolerance, a close
   * of the latest sweep that had come but was not yet read would count its socket a survivor.
   */
  const checkSweepsAfterReads = (): void => {
    readsWatch?.();
    readsWatch = run.clock.schedule(run.clock.now() + 1, checkSweeps);
  };
  /**
   * Waits until the held sockets' survival of the latest close (unprompted, unless `closedAt`
   * says which) shows and is read, or until the deadline's reserve.
   */
  const untilSurvivorsShown = async (stagger: Stagger, closedAt = state.lastUnpromptedCloseAt): Promise<void> => {
    const until = Math.min(survivorsShownAt(stagger, closedAt), run.deadline - ANSWER_RESERVE_MS);
    if ((await waitUntil(run.clock, until, phaseSignal)) && Number.isFinite(closedAt)) await waitUntil(run.clock, run.clock.now() + 1, phaseSignal);
  };
  /** When the latest close of any kind was recorded (clock ms): a close in answer to a request may be a sweep's too. */
  let lastCloseAt = Number.NEGATIVE_INFINITY;
  /** The tick test (`tickTest`): whether it started, and aborted once a close at or below the idle it tests came. */
  let tickTestStarted = false;
  const tickTestNeedless = new AbortController();
  const record = (entry: SocketRecord): void => {
    if (entry.outcome === 'closed') lastCloseAt = run.clock.now();
    if (run.tickTestS !== undefined) startOrSkipTickTest(entry, run.tickTestS);
    if (entry.outcome === 'closed' && entry.unprompted) state.lastUnpromptedCloseAt = run.clock.now();
    records.push(entry);
    run.onSocket(entry);
    if (entry.outcome === 'closed' && entry.unprompted && run.stagger !== undefined) {
      sweepWatch ??= every(run.clock, Math.max(10, run.stagger.toleranceS * 1000), checkSweepsAfterReads);
      survivorsWatch?.();
      survivorsWatch = run.clock.schedule(survivorsShownAt(run.stagger), checkSweepsAfterReads);
      const { stagger } = run;
      if (confirming) {
        confirmWatch?.();
        confirmWatch = run.clock.schedule(run.clock.now() + CONFIRM_AFTER_SWEEP_S * 1000, () => confirmSurvivors(stagger));
      }
      checkSweeps();
    }
    // A survivor's answer (`confirmSurvivors`) may show the pass.
    if (entry.outcome === 'response' && confirming) checkSweepsAfterReads();
    maybeNarrow();
  };

  const hold = (idle: IdleConnection, role: SocketRecord['role'], plannedIdleS: number): Promise<void> => {
    const holding: Holding = { idle, plannedIdleS, send: new AbortController(), release: new AbortController() };
    if (settled.signal.aborted) holding.release.abort();
    holdings.add(holding);
    holding.finished = (async () => {
      try {
        const measured = await holdUntilSent(idle, holding.send.signal, run, holding.release.signal);
        if (measured !== null) record({ role, round: 1, plannedIdleS, openedS: openedS(idle.idleSince), ...measured });
      } finally {
        holdings.delete(holding);
        // Nothing left to see the next sweep.
        if (state.watchingNextSweep && holdings.size === 0) settled.abort();
      }
    })();
    return holding.finished;
  };

  const openingAt = run.clock.now();
  const passive = run.passive ?? (await openIdle(run));
  run.onPassive?.('error' in passive ? null : passive);
  if ('error' in passive) {
    record({ role: 'passive', round: 1, plannedIdleS: run.horizonS, ...UNSENT, error: passive.error });
  } else {
    state.origin = passive.idleSince;
    if (run.stagger === undefined) {
      tasks.push(fixed(passive, 'passive', run.horizonS));
    } else {
      tasks.push(hold(passive, 'passive', run.horizonS));
      tasks.push(staggerAndTest(run.stagger, run.passive === undefined ? passive.idleSince - openingAt : 0));
    }
  }
  run.roundOneS.forEach((idleS, i) => tasks.push(openIdle(run).then((idle) => fixed(idle, 'active', idleS, run.idleStartsS?.[i] ?? 0))));
  if (run.alignWith !== undefined) tasks.push(aligned(run.alignWith));

  // Narrowing adds tasks while the first ones run: wait until no new one appears.
  try {
    for (let done = 0; done < tasks.length; ) {
      const batch = tasks.length;
      await Promise.all(tasks);
      done = batch;
    }
  } finally {
    stopWatching();
  }
  return records;

  async function fixed(opened: OpenedIdle, role: SocketRecord['role'], plannedIdleS: number, idleStartS = 0): Promise<void> {
    const base = { role, round: 1, plannedIdleS };
    if ('error' in opened) return record({ ...base, ...UNSENT, ...opened });
    const idle = idleStartS > 0 ? await restartIdle(opened, restartAt(opened, idleStartS), run) : opened;
    if (idle === null) return;
    // Closed or refused before its idle restarted: measured from its first answer.
    if (!('connection' in idle)) return record({ ...base, ...openedSOf(idle, opened.idleSince), ...idle });
    const measured = await holdAndSend(idle, plannedIdleS, run);
    if (measured !== null) record({ ...base, openedS: openedS(idle.idleSince), ...measured });
  }

  /**
   * The aligned socket (`alignedSockets`): opened `ALIGNED_LEAD_S` after the pre-request passive
   * socket (`alignWith`), its first request at once, its second when the server closes that
   * socket by itself, then held until the server closes it too. Never held past this phase's
   * horizon: released there, or unused when the pre-request socket never opened or another
   * keep-alive socket has already closed at an idle it cannot undercut (`alignedOutdone`).
   *
   * Why the horizon: the passive socket holds the target that long anyway; a server whose
   * pre-request close never comes (or comes too late for the aligned socket's to follow within
   * it) costs no wall time. Not opened past it either, nor without a socket free in the budget
   * (reserved in `target.ts`).
   *
   * Why its close counts only when it follows its second request by at least the pre-request
   * close's idle (`alignedShowsIdleCheck`): that is the idle check it is there to read. A server
   * that closes connections at a jittered age (`MaxConnectionAge` of gRPC Go and Java) closed it
   * at its own age, before its cue or soon after it; kept, that close read as a limit of a few
   * seconds, or with the others' as a sweep with no survivor, and the verdict changed from run
   * to run. It is recorded unused, with the reason.
   */
  async function aligned(alignWith: AlignWith): Promise<void> {
    const horizon = alarmAt(run.clock, state.origin + run.horizonS * 1000, run.signal);
    const until = AbortSignal.any([run.signal, horizon.signal]);
    try {
      const other = await Promise.race([alignWith.passive, horizon.reached.then(() => null)]);
      if (other === null || !(await waitUntil(run.clock, other.idleSince + ALIGNED_LEAD_S * 1000, until)) || !run.sockets.tryTake()) return;
      const opened = await openIdle(run, true);
      const base = { role: 'aligned' as const, round: 1 };
      if ('error' in opened) return record({ ...base, plannedIdleS: plannedUntilHorizonS(run.clock.now()), ...UNSENT, ...opened });
      const cue = new AbortController();
      const outdone = new AbortController();
      let cueIdleS: number | null = null;
      void alignWith.closedAfterS.then((idleS) => {
        if (idleS === null) return;
        cueIdleS = idleS;
        const closesS = records.filter((r) => r.outcome === 'closed' && r.idleS !== null).map((r) => r.idleS as number);
        (alignedOutdone(closesS, idleS) ? outdone : cue).abort();
      });
      const firstPlanS = plannedUntilHorizonS(opened.idleSince);
      const restarted = await restartIdleOn(opened, cue.signal, run, AbortSignal.any([horizon.signal, outdone.signal]));
      if (restarted === null) return;
      if (!('connection' in restarted)) {
        // Closed by the server before its cue: no idle check's doing (see above).
        return record({ ...base, plannedIdleS: firstPlanS, ...openedSOf(restarted, opened.idleSince), ...(restarted.outcome === 'closed' && restarted.unprompted ? notIdleCheck(restarted, null) : restarted) });
      }
      const measured = await holdUntilSent(restarted, NEVER, run, horizon.signal);
      if (measured === null) return;
      const shown = measured.outcome !== 'closed' || !measured.unprompted || alignedShowsIdleCheck(measured.idleS, cueIdleS);
      record({ ...base, plannedIdleS: plannedUntilHorizonS(restarted.idleSince), openedS: openedS(restarted.idleSince), ...(shown ? measured : notIdleCheck(measured, cueIdleS)) });
    } finally {
      horizon.cancel();
    }
  }

  /**
   * Starts the tick test on a close less than a tick past `neededS`; or makes it needless on any
   * close at or below `neededS`, which fails the phase anyway (the other moment's socket, idle
   * since half a tick later, may close at the passive socket's tick).
   *
   * Why a close in answer too: the passive socket's request at the horizon crossed a tick's close
   * of it (behind 3 s, with its close at 4.000 s), the tick test never started, and a clock
   * closing from 3 to 4 s read `inconclusive` behind 3.2 s (once in 60 loaded runs). Such a close
   * came as the request went out; a lazy server's only costs the tick test's time.
   */
  function startOrSkipTickTest(entry: SocketRecord, neededS: number): void {
    if (entry.outcome !== 'closed' || entry.idleS === null) return;
    if (entry.idleS <= neededS) return tickTestNeedless.abort();
    if (tickTestStarted || tickTestNeedless.signal.aborted || entry.role === 'tick' || entry.openedS === undefined) return;
    const momentS = tickTestMomentS(entry.idleS, neededS, entry.openedS);
    if (momentS === null) return;
    tickTestStarted = true;
    tasks.push(tickTest(momentS, neededS, tickTestNeedless.signal));
  }

  /**
   * The tick test (`tickTestMomentS`): one more socket, whose idle starts `momentS` after the
   * passive socket's (give or take whole ticks), so that it has idled `neededS`, and sends its
   * request, just after a tick of the clock that closed the passive socket. Released unused,
   * unrecorded, when a close at or below `neededS` made it `needless`.
   *
   * Why its idle is started again when it began late (`TICK_TEST_SLACK_S`): past the tick before,
   * a server counting whole seconds gives it a whole tick more, and it would pass such a
   * server's earliest close. Early, its request would go out before the tick that closes it.
   *
   * Why each request goes out as long before its moment as the ones before were answered after
   * their sends (the shortest): a server that took 43 ms to answer (an application's health
   * check) started the idle that late at every attempt, the test never ran, and 81 phases in 100
   * passed a clock closing from 6 to 7 s idle behind 6 s with a 0.1 s margin. Why a start a
   * little early is kept: a loop stall read one answer late, the next request went out that much
   * early, and its start was thrown away too.
   */
  async function tickTest(momentS: number, neededS: number, needless: AbortSignal): Promise<void> {
    const tickMs = COARSE_TICK_S * 1000;
    const latestIdleStart = run.deadline - ANSWER_RESERVE_MS - neededS * 1000;
    const stop = AbortSignal.any([run.signal, needless]);
    if (!(await run.sockets.take(stop, 1, latestIdleStart - tickMs))) return;
    const opened = await openIdle(run, true);
    // Not recorded when it could not be opened: it only refines what the other sockets judged (a
    // server whose workers the pre-request phase's silent sockets hold may not answer it yet).
    if ('error' in opened) return;
    const base = { role: 'tick' as const, round: 1, plannedIdleS: neededS };
    let idle: IdleConnection = opened;
    // From a request's send to its answer (the idle's start): the shortest seen, as a stalled
    // event loop only adds to it; a send's own lateness is not counted (it is not the server's).
    let leadMs = run.wire.sendSpreadMs;
    let answeredAfterMs = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < TICK_TEST_ATTEMPTS && !stop.aborted; attempt++) {
      const startAt = nextMoment(run.clock.now() + leadMs, state.origin + momentS * 1000, tickMs);
      if (startAt > latestIdleStart) break;
      const sendAt = startAt - leadMs;
      const restarted = await restartIdle(idle, sendAt, run);
      if (restarted === null) return;
      // Closed or refused before its idle started again: measured from the answer before.
      if (!('connection' in restarted)) return restarted.outcome === 'held' ? undefined : record({ ...base, ...openedSOf(restarted, idle.idleSince), ...restarted });
      idle = restarted;
      // Not from a send the event loop ran late: its answer was likely read late too.
      if (restarted.sentAt - sendAt <= TICK_TEST_SLACK_S * 1000) answeredAfterMs = Math.min(answeredAfterMs, restarted.idleSince - restarted.sentAt);
      if (Number.isFinite(answeredAfterMs)) leadMs = answeredAfterMs;
      // Early by less than the tick test's lead on the tick, its request still goes out past it.
      const offMs = idle.idleSince - startAt;
      if (offMs > TICK_TEST_SLACK_S * 1000 || offMs < -(TICK_TEST_PAST_S - TICK_TEST_SLACK_S) * 1000) continue;
      const due = alarmAt(run.clock, idle.idleSince + neededS * 1000, stop);
      try {
        const measured = await holdUntilSent(idle, due.signal, run, needless);
        if (measured !== null && measured.outcome !== 'held') record({ ...base, openedS: openedS(idle.idleSince), ...measured });
      } finally {
        due.cancel();
      }
      return;
    }
    idle.connection.destroy();
  }

  /** The idle a socket idle since `since` (clock ms) may hold until the phase's horizon, in seconds. */
  function plannedUntilHorizonS(since: number): number {
    return Math.max(0, roundS(run.horizonS - (since - state.origin) / 1000));
  }

  /**
   * When to send a socket's second request for its idle to start `momentS` after the passive
   * socket's, give or take whole ticks: the first such moment after its first answer, or at
   * once when that answer came at most `RESTART_SLACK_S` late for the moment before (on
   * loopback a first answer came 2 ms after the send that a half-second moment needed, and
   * the wait for the next tick ran the phase a second past its horizon).
   */
  function restartAt(idle: IdleConnection, momentS: number): number {
    const base = state.origin + momentS * 1000 - run.wire.sendSpreadMs;
    return Math.max(idle.idleSince, nextMoment(Math.max(base, idle.idleSince - RESTART_SLACK_S * 1000), base, COARSE_TICK_S * 1000));
  }

  /**
   * Opens the staggered sockets on schedule, then at the horizon sends the oldest sockets'
   * requests, and the others' unless a sweep is still awaited.
   *
   * Each opens `passiveLeadInMs` (what the passive socket took from opening to its idle start) before
   * its offset, so that its idle, not its connect, starts at the offset. Why: opened at the
   * offset, every staggered socket idled from a connect later, and the passive socket stood a
   * step plus a connect before the first: a 3 s coarse clock, probed 0.1 s apart, read 3.101 s.
   * At most half the first offset: a slow connect (a SYN sent again) says nothing of the next.
   */
  async function staggerAndTest(stagger: Stagger, passiveLeadInMs: number): Promise<void> {
    const leadInMs = Math.min(passiveLeadInMs, ((stagger.offsetsS[0] ?? 0) * 1000) / 2);
    // No new socket once anything closed: younger ones cannot meet the sweep that closed it.
    const firstClose = new AbortController();
    const stopOpening = AbortSignal.any([phaseSignal, firstClose.signal]);
    const opening = (async () => {
      const opened: Promise<void>[] = [];
      for (const offsetS of stagger.offsetsS) {
        if (!(await waitUntil(run.clock, state.origin + offsetS * 1000 - leadInMs, stopOpening))) break;
        if (!run.sockets.tryTake()) continue;
        // Not awaited: a slow connect must not delay the next socket's tick.
        opened.push(
          openIdle(run, true).then((idle) => {
            const plannedIdleS = roundS(run.horizonS - offsetS);
            // A socket that never opened is still evidence: a connection the server did not accept.
            if ('error' in idle) return record({ role: 'staggered', round: 1, plannedIdleS, ...UNSENT, ...idle });
            tasks.push(hold(idle, 'staggered', plannedIdleS));
            void idle.connection.ended.then((close) => close.unprompted && firstClose.abort());
          }),
        );
      }
      await Promise.all(opened);
    })();
    tasks.push(opening);
    if (!(await waitUntil(run.clock, state.origin + run.horizonS * 1000, phaseSignal))) return;
    firstClose.abort();
    await opening;
    // The bracket is known; the survivor waiting for the next sweep is not disturbed.
    if (state.watchingNextSweep) return;

    // At the horizon: the sockets idle longest send first; a lazy server shows by refusing them.
    state.narrowingHeld = true;
    const sendAll = (which: (h: Holding) => boolean) =>
      [...holdings].filter(which).map((h) => {
        h.send.abort();
        return h.finished;
      });
    // Its answer comes within a round trip, and decides whether the others wait on.
    const firstTest = youngestAtLeast([...holdings], Math.min(stagger.firstTestS, run.horizonS));
    await Promise.all(sendAll((h) => h === firstTest));
    // Closes that had shown a per-connection timer or a bracket would have settled the phase:
    // any close seen by now is undecided (one close alone is a timer or a sweep), so it is no
    // reason to stop waiting (a sweep at 62 s that closed only the passive socket read as a
    // 62 s timer, a false pass of a 60 s threshold).
    const lazy = records.some((r) => r.outcome === 'closed' && !r.unprompted);
    // Never up to the deadline: the wait ends as a measurement, not as a phase cut short; and
    // early enough for the passive socket's two-segment request to be answered within it.
    const awaitUntil = Math.min(state.origin + (run.horizonS + stagger.awaitSweepS) * 1000 - 2 * run.wire.sendSpreadMs, run.deadline - ANSWER_RESERVE_MS);
    if (!lazy && awaitUntil > run.clock.now()) {
      // A server that may sweep is given one sweep interval past the horizon to show it; the
      // passive socket, still open if no sweep came, then sends its request: a survival past
      // the horizon (what a pass vouches for) or a lazy limit past the first test.
      confirming = true;
      await waitUntil(run.clock, awaitUntil, phaseSignal);
      // A sweep just before the wait ended has not yet shown which held sockets outlived it
      // (released at once, a sweep 9 ms before the end left no survivor: inconclusive).
      await untilSurvivorsShown(stagger);
      await Promise.all(sendAll((h) => h.plannedIdleS >= run.horizonS - 1e-9));
      // Nor has a sweep that closed the passive socket as its request went out (Node.js counts
      // headers from the connect, so half a request is no answer): it reads as a close in answer,
      // and the older held sockets' closes come on later turns. Released with it, a 4.5 s
      // threshold swept at the wait's end left every one of them held, no survivor: inconclusive.
      await untilSurvivorsShown(stagger, lastCloseAt);
      settled.abort();
    } else {
      // A close the first test's wait let through (a server's own close, recorded as its
      // response timeout ended) may still settle the phase once its survivors show: that comes
      // first. Sent at once instead, the held sockets of a server that never finishes its
      // unsolicited answers each waited out a response timeout, and the budget cut them unrecorded.
      await untilSurvivorsShown(stagger);
      checkSweeps();
      // Narrowing starts from the bracket all of them give, not from the first answers'.
      if (!settled.signal.aborted && !state.watchingNextSweep) await Promise.all(sendAll(() => true));
    }
    state.narrowingHeld = false;
    maybeNarrow();
  }
}

/** The held socket planned to idle the least among those planned to idle at least `idleS`. */
function youngestAtLeast(holdings: readonly Holding[], idleS: number): Holding | undefined {
  const old = holdings.filter((h) => h.plannedIdleS >= idleS - 1e-9);
  return old.length === 0 ? undefined : old.reduce((a, b) => (b.plannedIdleS < a.plannedIdleS ? b : a));
}

/**
 * Time kept before the deadline for the last requests to be answered and held sockets to be
 * released and recorded, in seconds: the horizon ends this long (beside the requests' own
 * send spread) before the deadline, and no wait runs into it.
 */
export const ANSWER_RESERVE_S = 0.5;
const ANSWER_RESERVE_MS = ANSWER_RESERVE_S * 1000;

/** How late a keep-alive socket's idle may start for the moment it was planned at: an eighth of a coarse clock's tick. */
export const RESTART_SLACK_S = COARSE_TICK_S / 8;

/**
 * How far apart, in seconds, the idles of one per-connection timer's closes may be seen, as
 * timers and the event loop blur them: closes further apart come from a coarse clock (at 60 s,
 * the staggered sockets' moments are a 16th of a second apart). Twice the sampled loop lag when
 * that is more: beside a whole `npm test`, nginx's 75 s timer, its closes seen tens of
 * milliseconds late, read as a coarse clock, and every staggered socket was held to its close
 * (106 s against the routing's 96 s).
 */
const CLOSE_NOISE_S = 0.03;


/** How many times the tick test starts its socket's idle before it gives up: a late start is tried again a tick later. */
const TICK_TEST_ATTEMPTS = 3;

/** The first instant at or after `notBefore` that lies a whole number of `periodMs` from `anchor` (clock ms). */
function nextMoment(notBefore: number, anchor: number, periodMs: number): number {
  return anchor + Math.ceil((notBefore - anchor) / periodMs) * periodMs;
}

/** A signal never aborted: a socket held until the server or the horizon ends it. */
const NEVER = new AbortController().signal;

/**
 * The aligned socket's record when the server closed it otherwise than by an idle check
 * (`alignedShowsIdleCheck`): unused, saying when it closed, so that it is neither a limit nor a
 * span of the sweep analysis.
 */
function notIdleCheck(closed: Measurement, cueIdleS: number | null): Measurement {
  const when = cueIdleS === null ? 'before the pre-request socket was' : `${closed.idleS} s after its second request, sooner than the pre-request socket's ${cueIdleS} s`;
  return { ...UNSENT, error: `the server closed the aligned socket ${when}: by another rule than an idle check (a connection age?), so it measures nothing` };
}
