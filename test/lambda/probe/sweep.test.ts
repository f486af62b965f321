import { ANSWERED_AFTER_SWEEP_S, CONFIRM_AFTER_SWEEP_S, ageSlackS, analyzeSweeps, dependsOnConnectMoment, spansOf, survivalMarginS, type IdleSpan } from '../../../lambda/probe/sweep';
import { roundS } from '../../../lambda/probe/plan';
import type { SocketRecord } from '../../../lambda/probe/types';

/** Sockets opened `stepS` apart from 0, closed by sweeps at `sweepsS` when older than `thresholdS`, else idle until `untilS`. */
function staggered(count: number, stepS: number, thresholdS: number, sweepsS: readonly number[], untilS: number): IdleSpan[] {
  return Array.from({ length: count }, (_, i) => {
    const openedS = i * stepS;
    const sweep = sweepsS.find((atS) => atS > openedS && atS - openedS > thresholdS);
    return sweep !== undefined && sweep <= untilS ? { openedS, endS: sweep, closedByServer: true } : { openedS, endS: untilS, closedByServer: false };
  });
}

describe('analyzeSweeps', () => {
  it('brackets a periodic threshold between the youngest socket closed and the oldest that survived the same sweep', () => {
    // Prepare: a 60 s threshold checked every 30 s, at 15, 45, 75 s; 16 sockets 2 s apart
    const spans = staggered(16, 2, 60, [15, 45, 75], 76);

    // Act
    const analysis = analyzeSweeps(spans, 0.05);

    // Assess: the sweep at 75 s closes the sockets opened at 0 to 14 s; the oldest had been
    // past the threshold for 14 s without a sweep, so the interval is at least that
    expect(analysis).toEqual({ kind: 'periodic', failedS: 61, survivedS: 59, sweepS: 14, sweepsSeen: 1, firstSweepS: 75, sweepsAtS: [75], schedules: 'one' });
  });

  it('gives the same verdict-deciding bracket whatever the phase of the sweep', () => {
    for (let phaseS = 0; phaseS < 30; phaseS += 0.7) {
      // Prepare
      const sweeps = [phaseS, phaseS + 30, phaseS + 60, phaseS + 90];
      const spans = staggered(16, 2, 60, sweeps, 96);

      // Act
      const analysis = analyzeSweeps(spans, 0.05);

      // Assess
      expect(analysis).toMatchObject({ kind: 'periodic' });
      if (analysis.kind !== 'periodic') return;
      expect(analysis.survivedS!).toBeLessThanOrEqual(60);
      expect(analysis.failedS).toBeGreaterThan(60);
      expect(analysis.failedS - analysis.survivedS!).toBeLessThanOrEqual(2 + 1e-9);
    }
  });

  it('measures the interval between two sweeps seen', () => {
    // Prepare: a 2 s threshold checked every second; the survivor of the first sweep is closed by the second
    const spans = staggered(12, 0.1, 2, [0.5, 1.5, 2.5, 3.5], 3.6);

    // Act
    const analysis = analyzeSweeps(spans, 0.02);

    // Assess
    expect(analysis).toMatchObject({ kind: 'periodic', sweepS: 1, sweepsSeen: 2, firstSweepS: 2.5 });
  });

  it('tells closes that follow each connection’s own timer apart, and waits with a single close', () => {
    // Prepare
    const perConnection: IdleSpan[] = [
      { openedS: 0, endS: 60, closedByServer: true },
      { openedS: 2, endS: 62, closedByServer: true },
    ];

    // Act & Assess
    expect(analyzeSweeps(perConnection, 0.05)).toEqual({ kind: 'per-connection' });
    expect(analyzeSweeps(perConnection.slice(0, 1), 0.05)).toEqual({ kind: 'undecided' });
    expect(analyzeSweeps([{ openedS: 0, endS: 66, closedByServer: false }], 0.05)).toEqual({ kind: 'none' });
  });

  it('reads closes of one per-connection timer, seen late and at once by a starved event loop, as no sweep when the lag explains them', () => {
    // Prepare: a 0.5 s keep-alive timer; the passive socket's close (due at 0.5 s) seen at the
    // end of a 0.2 s stall, with those of three sockets whose idles began 0.252 s later
    const spans: IdleSpan[] = [
      { openedS: 0, endS: 0.687, closedByServer: true },
      ...Array.from({ length: 3 }, () => ({ openedS: 0.252, endS: 0.752, closedByServer: true })),
    ];

    // Act & Assess: read on time, the 0.187 s between their idles was a sweep's evidence
    expect(analyzeSweeps(spans, 0.125, 0.001)).toMatchObject({ kind: 'periodic' });
    expect(analyzeSweeps(spans, 0.125, 0.2)).toEqual({ kind: 'undecided' });
  });

  it('still reads sockets a step apart closed at once as a sweep, however late the event loop ran', () => {
    // Prepare: a 2 s threshold swept at 3 s; sockets 0.5 s apart (tolerance a quarter step)
    const spans = staggered(4, 0.5, 2, [3], 4);

    // Act & Assess
    expect(analyzeSweeps(spans, 0.125, 5)).toMatchObject({ kind: 'periodic', failedS: 2.5, survivedS: 2 });
    expect(ageSlackS(0.125, 5)).toBe(0.375);
    expect(ageSlackS(0.125, 0.1)).toBeCloseTo(0.325, 9);
  });

  it('reads the spans of socket records, skipping sockets that never idled', () => {
    // Act
    const spans = spansOf([
      { role: 'passive', round: 1, plannedIdleS: 66, openedS: 0, outcome: 'closed', idleS: 75, unprompted: true, closedWith: 'http-408', status: 408 },
      { role: 'staggered', round: 1, plannedIdleS: 64, openedS: 2, outcome: 'held', idleS: 73, unprompted: false, closedWith: null, status: null },
      { role: 'active', round: 1, plannedIdleS: 60, outcome: 'unsent', idleS: null, unprompted: false, closedWith: null, status: null },
      { role: 'staggered', round: 1, plannedIdleS: 62, openedS: 4, outcome: 'response', idleS: 71.005, unprompted: false, closedWith: null, status: 200 },
    ]);

    // Assess
    expect(spans).toEqual([
      { openedS: 0, endS: 75, closedByServer: true, answered: false, refused: false },
      { openedS: 2, endS: 75, closedByServer: false, answered: false, refused: false },
      { openedS: 4, endS: 75.005, closedByServer: false, answered: true, refused: false },
    ]);
  });

  describe('closes on several schedules (worker processes that each sweep at their own moments)', () => {
    it('reads no survival when a socket older than one a sweep closed outlived it: another worker\'s', () => {
      // Prepare: a 60 s threshold in two workers; worker A sweeps at 65 s and closes its sockets
      // opened at 0 and 4 s; worker B's, opened at 2 and 4.5 s, outlive it until B sweeps at 75 s
      const spans: IdleSpan[] = [
        { openedS: 0, endS: 65, closedByServer: true },
        { openedS: 4, endS: 65, closedByServer: true },
        { openedS: 2, endS: 75, closedByServer: true },
        { openedS: 4.5, endS: 75, closedByServer: true },
        { openedS: 20, endS: 76, closedByServer: false },
      ];

      // Act
      const analysis = analyzeSweeps(spans, 0.05);

      // Assess: the socket opened at 4.5 s survived A's sweep at 60.5 s, which one schedule
      // would make the threshold; the one opened at 2 s, older than A's youngest close, shows it
      // was not its own
      expect(analysis).toMatchObject({ kind: 'periodic', schedules: 'several', survivedS: null, failedS: 61 });
    });

    it('reads no survival when a close came more than the interval seen past the youngest close', () => {
      // Prepare: worker A sweeps at 65.2 s (closing sockets opened at 0 and 2 s), worker B 0.7 s
      // later (closing the one opened at 3.9 s); read as one schedule, the interval is 0.7 s and
      // the socket opened at 3.9 s survived 61.3 s, but the passive socket was then 64.5 s idle
      // past a 62-s-bounded threshold at the sweep 0.7 s before, and stayed open
      const spans: IdleSpan[] = [
        { openedS: 0, endS: 65.2, closedByServer: true },
        { openedS: 2, endS: 65.2, closedByServer: true },
        { openedS: 3.9, endS: 65.9, closedByServer: true },
      ];

      // Act & Assess
      expect(analyzeSweeps(spans, 0.05)).toMatchObject({ kind: 'periodic', schedules: 'several', survivedS: null });
    });

    it('still reads one schedule from one worker\'s sweeps, its closes read up to a loop lag apart', () => {
      // Prepare: a 60 s threshold swept every 30 s, the sockets 2 s apart (the first bracket
      // test's); and one swept every second, whose closes at 5 s a busy loop read 40 ms
      // apart, a tolerance of 0.03 s: two instants, 0.04 s apart
      const spans = staggered(16, 2, 60, [15, 45, 75, 105], 106);
      const readApart: IdleSpan[] = [
        { openedS: 0, endS: 4, closedByServer: true },
        { openedS: 1.5, endS: 5, closedByServer: true },
        { openedS: 1.3, endS: 5.04, closedByServer: true },
        { openedS: 2.5, endS: 6, closedByServer: false },
      ];

      // Act & Assess
      expect(analyzeSweeps(spans, 0.05, 0.02)).toMatchObject({ kind: 'periodic', schedules: 'one', survivedS: 59 });
      expect(analyzeSweeps(readApart, 0.03, 0.01)).toMatchObject({ kind: 'periodic', schedules: 'one', survivedS: 2.7, failedS: 3.5 });
    });
  });

  describe('a survivor asked after the sweep (its request answered)', () => {
    // Prepare: a 7 s threshold swept at 8 s closes the sockets opened at 0 and 0.5 s; the one
    // opened at 1 s is idle 7 s at the sweep
    const swept: IdleSpan[] = [
      { openedS: 0, endS: 8, closedByServer: true },
      { openedS: 0.5, endS: 8, closedByServer: true },
    ];
    const asked = (sentS: number, answered = true): IdleSpan => ({ openedS: 1, endS: sentS, closedByServer: false, answered });

    it('survived the sweep when its request shows it went out after the sweep was read, within the tolerance', () => {
      // Act
      const analysis = analyzeSweeps([...swept, asked(8 + CONFIRM_AFTER_SWEEP_S)], 0.05);

      // Assess
      expect(analysis).toMatchObject({ kind: 'periodic', failedS: 7.5, survivedS: 7 });
    });

    it('proves nothing when its request may have gone out before the sweep was read, or was not answered', () => {
      // Act: the records' roundings may put a request sent in the sweep's own millisecond 2 ms after it
      const early = analyzeSweeps([...swept, asked(8 + ANSWERED_AFTER_SWEEP_S - 0.001)], 0.05);
      const refused = analyzeSweeps([...swept, asked(8 + CONFIRM_AFTER_SWEEP_S, false)], 0.05);

      // Assess
      expect(early).toMatchObject({ kind: 'periodic', survivedS: null });
      expect(refused).toMatchObject({ kind: 'periodic', survivedS: null });
    });

    it('reads a request that met a close of the sweep on its way as closed by it, at its idle when the sweep came', () => {
      // Act: closed in answer to a request sent 5 ms after the sweep was read; and one sent a
      // second later, which the sweep did not close (a lazy check, or another sweep)
      const crossed = analyzeSweeps([...swept, { ...asked(8 + CONFIRM_AFTER_SWEEP_S, false), refused: true }], 0.05);
      const later = analyzeSweeps([...swept, { ...asked(9, false), refused: true }], 0.05);

      // Assess
      expect(crossed).toMatchObject({ kind: 'periodic', failedS: 7, survivedS: null });
      expect(later).toMatchObject({ kind: 'periodic', failedS: 7.5 });
    });

    it('counts its survival at its idle when the sweep came, not when it was asked', () => {
      // Act: asked 0.2 s after the sweep (a loop that ran late)
      const analysis = analyzeSweeps([...swept, asked(8.2)], 0.05);

      // Assess
      expect(analysis).toMatchObject({ survivedS: 7 });
    });
  });
});

describe('dependsOnConnectMoment', () => {
  /** Sockets opened `stepS` apart from 0, each closed `closeS(openedS)` after it opened. */
  const closedAfter = (count: number, stepS: number, closeS: (openedS: number) => number): IdleSpan[] =>
    Array.from({ length: count }, (_, i) => ({ openedS: i * stepS, endS: i * stepS + closeS(i * stepS), closedByServer: true }));

  it('tells a coarse clock (each close alone, at an idle within one tick that depends on the connect) from a per-connection timer', () => {
    // Prepare: idle counted in whole seconds from ticks at 0.3 s past each second, closed at the 60th tick
    const coarse = closedAfter(3, 1.9375, (openedS) => 60 - ((openedS - 0.3 + 10) % 1));
    const timer = closedAfter(3, 1.9375, () => 60);

    // Act & Assess
    expect(dependsOnConnectMoment(coarse, 0.5, 0.03)).toBe(true);
    expect(dependsOnConnectMoment(timer, 0.5, 0.03)).toBe(false);
  });

  it('never reads a sweep (several closes at once), timer noise or a single close as a coarse clock', () => {
    // Prepare
    const sweep = [
      { openedS: 0, endS: 61, closedByServer: true },
      { openedS: 0.5, endS: 61, closedByServer: true },
      { openedS: 2, endS: 70, closedByServer: false },
    ];
    const noisy = closedAfter(3, 2, (openedS) => 60 + openedS / 200);

    // Act & Assess
    expect(dependsOnConnectMoment(sweep, 0.05, 0.03)).toBe(false);
    expect(dependsOnConnectMoment(noisy, 0.5, 0.03)).toBe(false);
    expect(dependsOnConnectMoment(closedAfter(1, 2, () => 59.4), 0.5, 0.03)).toBe(false);
    // Sockets a tenth of a second apart share a whole-second clock's ticks: a sweep's analysis reads them
    expect(dependsOnConnectMoment(closedAfter(3, 0.1, (openedS) => 3 + openedS), 0.025, 0.03)).toBe(false);
  });
});

describe('survivalMarginS', () => {
  /** A socket's record as a phase writes it: its start and its idle each rounded to the millisecond. */
  const recordOf = (openedS: number, endS: number, closed: boolean): SocketRecord => ({
    role: 'staggered',
    round: 1,
    plannedIdleS: 7,
    outcome: closed ? 'closed' : 'held',
    idleS: roundS(endS - openedS),
    openedS: roundS(openedS),
    unprompted: closed,
    closedWith: closed ? 'http-408' : null,
    status: closed ? 408 : null,
  });

  it("counts a socket released the tolerance and the margin after a sweep's close as its survivor, however the records round", () => {
    const toleranceS = 0.053;
    for (let i = 0; i < 100; i++) {
      // Prepare: sub-millisecond moments that round every way; the sweep closes the two sockets opened first
      const [closedOpenedS, sweepS, survivorOpenedS] = [0.0001 + (i % 10) / 10_000, 8.0001 + Math.floor(i / 10) / 10_000, 1.2101 + ((i * 3) % 10) / 10_000];
      const swept = [recordOf(closedOpenedS, sweepS, true), recordOf(closedOpenedS + 0.212, sweepS, true)];
      const records = [...swept, recordOf(survivorOpenedS, sweepS + toleranceS + survivalMarginS(toleranceS), false)];

      // Act
      const analysis = analyzeSweeps(spansOf(records), toleranceS);

      // Assess
      expect(analysis).toMatchObject({ kind: 'periodic', sweepsSeen: 1 });
      expect(analysis.kind === 'periodic' && analysis.survivedS).toBeCloseTo(sweepS - survivorOpenedS, 2);
    }
  });

  it('is never more than another tolerance', () => {
    // Act & Assess: the wait it adds is at most what it replaced (twice the tolerance)
    expect(survivalMarginS(0.053)).toBe(0.01);
    expect(survivalMarginS(0.004)).toBe(0.004);
  });
});
