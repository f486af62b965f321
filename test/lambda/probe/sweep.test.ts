import { analyzeSweeps, dependsOnConnectMoment, spansOf, type IdleSpan } from '../../../lambda/probe/sweep';

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
    expect(analysis).toEqual({ kind: 'periodic', failedS: 61, survivedS: 59, sweepS: 14, sweepsSeen: 1, firstSweepS: 75 });
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

  it('reads the spans of socket records, skipping sockets that never idled', () => {
    // Act
    const spans = spansOf([
      { role: 'passive', round: 1, plannedIdleS: 66, openedS: 0, outcome: 'closed', idleS: 75, unprompted: true, closedWith: 'http-408', status: 408 },
      { role: 'staggered', round: 1, plannedIdleS: 64, openedS: 2, outcome: 'held', idleS: 73, unprompted: false, closedWith: null, status: null },
      { role: 'active', round: 1, plannedIdleS: 60, outcome: 'unsent', idleS: null, unprompted: false, closedWith: null, status: null },
    ]);

    // Assess
    expect(spans).toEqual([
      { openedS: 0, endS: 75, closedByServer: true },
      { openedS: 2, endS: 75, closedByServer: false },
    ]);
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
