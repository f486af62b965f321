import {
  defaultHorizonS,
  roundOneActives,
  staggerOffsetsS,
  staggeredPhase,
  narrowingScheduleS,
  needsNarrowing,
  nextNarrowingIdleS,
  roundOneDelaysS,
  keepAliveIdleStartsS,
  keepAliveRoundOne,
  ALIGNED_LEAD_S,
  alignedSockets,
  alignedOutdone,
  alignedShowsIdleCheck,
  tickTestMomentS,
  TICK_TEST_PAST_S,
} from '../../../lambda/probe/plan';

describe('defaultHorizonS', () => {
  it('holds sockets 10 % past the load balancer timeout, as in the contract example', () => {
    // Act & Assess
    expect(defaultHorizonS(60)).toBe(66);
    expect(defaultHorizonS(350)).toBe(385);
  });

  it('holds at least one second past short timeouts', () => {
    // Act & Assess
    expect(defaultHorizonS(3)).toBe(4);
  });
});

describe('staggerOffsetsS', () => {
  it('connects sockets at most one step apart over half the horizon, the first one step after the passive socket, one of them idle just past the load balancer timeout at the horizon', () => {
    // Act
    const offsets = staggerOffsetsS(66, 60, 2);

    // Assess: 16 sockets, none more than a step after the one before, the passive socket (0 s) included
    expect(offsets).toHaveLength(16);
    const gaps = [0, ...offsets].slice(1).map((offset, i) => offset - [0, ...offsets][i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2);
    expect(offsets[offsets.length - 1]).toBeGreaterThan(30);
    expect(offsets[offsets.length - 1]).toBeLessThanOrEqual(33);
    // The socket at 5.813 s has idled 60.187 s at the 66 s horizon
    expect(offsets.some((offset) => 66 - offset >= 60 && 66 - offset < 60.25)).toBe(true);
  });

  it('spreads a whole-second stagger over the moments of a second, so that a coarse clock is met at its worst', () => {
    // Act
    const fractions = staggerOffsetsS(66, 60, 2).map((offset) => Math.round((offset % 1) * 1000) / 1000);

    // Assess: 16 sockets at 16 different moments of the second, 1/16 s apart
    expect(new Set(fractions).size).toBe(16);
    const sorted = [...fractions].sort((a, b) => a - b);
    expect(Math.max(...sorted.slice(1).map((f, i) => f - sorted[i]))).toBeLessThanOrEqual(1 / 16 + 0.001);
  });

  it('aligns on the load balancer timeout when the step does not divide the horizon', () => {
    // Act
    const offsets = staggerOffsetsS(4, 3, 0.3);

    // Assess: 0.1 s would be too close to the passive socket to tell apart from it
    expect(offsets[0]).toBe(0.4);
    expect(offsets).toContain(1);
    expect(offsets[offsets.length - 1]).toBeLessThanOrEqual(2);
  });

  it('spans the same half horizon with fewer sockets when the budget reserves fewer, one of them still at the timeout', () => {
    // Act: 13 sockets, what 16 leave beside two passive sockets and the keep-alive phase's active
    const offsets = staggerOffsetsS(66, 60, 2, 13);

    // Assess: with the passive socket at 0 s, a 30 s sweep interval is still spanned, at 13 different moments of the second
    expect(offsets).toHaveLength(13);
    expect(offsets).toContain(6);
    expect(offsets[offsets.length - 1]).toBeGreaterThanOrEqual(30);
    expect(new Set(offsets.map((offset) => Math.round((offset % 1) * 1000))).size).toBe(13);
  });

  it('keeps a sub-second step and drops the youngest sockets when the budget reserves fewer', () => {
    // Act
    const offsets = staggerOffsetsS(4, 3, 0.1, 7);

    // Assess
    expect(offsets).toHaveLength(7);
    expect(Math.max(...offsets.slice(1).map((offset, i) => offset - offsets[i]))).toBeLessThanOrEqual(0.1 + 1e-9);
  });
});

describe('roundOneActives and staggeredPhase', () => {
  it('gives the staggered sockets to the pre-request phase and first-round actives to the other', () => {
    // Act & Assess
    expect(staggeredPhase(['preRequest', 'keepAlive'])).toBe('preRequest');
    expect(staggeredPhase(['keepAlive'])).toBe('keepAlive');
    expect(roundOneActives('preRequest', true)).toBe(0);
    expect(roundOneActives('keepAlive', false)).toBe(3);
    expect(roundOneActives('preRequest', false)).toBe(5);
  });
});

describe('roundOneDelaysS', () => {
  it('spaces delays densest near the load balancer timeout and tests exactly that timeout last', () => {
    // Act
    const delays = roundOneDelaysS(5, 60, 66);

    // Assess
    expect(delays).toEqual([21.6, 38.4, 50.4, 57.6, 60]);
    const gaps = delays.slice(1).map((d, i) => d - delays[i]);
    expect([...gaps].sort((a, b) => b - a)).toEqual(gaps);
  });

  it('stops at the horizon when the horizon is shorter than the timeout', () => {
    // Act & Assess
    expect(roundOneDelaysS(3, 3600, 850)).toEqual([472.222, 755.556, 850]);
  });

  it('tests only the timeout with one socket', () => {
    // Act & Assess
    expect(roundOneDelaysS(1, 60, 66)).toEqual([60]);
  });
});

describe('tickTestMomentS', () => {
  it('times the tick test to reach the needed idle just after the tick that closed the passive socket', () => {
    // Act
    const momentS = tickTestMomentS(61.4, 61)!;

    // Assess: an idle begun then (give or take whole seconds) reaches 61 s at 61.4 s plus the lead, or whole seconds later
    expect(momentS).toBeCloseTo(0.43, 3);
    expect((momentS + 61 - (61.4 + TICK_TEST_PAST_S)) % 1).toBeCloseTo(0, 9);
  });

  it('wraps a moment before the passive socket\'s idle start into the tick', () => {
    // Act & Assess: 61.01 - 61 + 0.03 = 0.04, and 61.99 - 61 + 0.03 = 1.02, a whole tick and 0.02
    expect(tickTestMomentS(61.01, 61)).toBe(0.04);
    expect(tickTestMomentS(61.99, 61)).toBe(0.02);
  });

  it('reads the tick on the passive socket\'s time axis from a socket whose idle began later', () => {
    // Act & Assess: closed 61.4 s after an idle begun 0.5 s after the passive socket's: the tick at 61.9 s
    expect(tickTestMomentS(61.4, 61, 0.5)).toBe(0.93);
  });

  it('asks for no tick test when the close fails the phase or lies a tick or more past the needed idle', () => {
    // Act & Assess
    expect(tickTestMomentS(61, 61)).toBeNull();
    expect(tickTestMomentS(60.5, 61)).toBeNull();
    expect(tickTestMomentS(62, 61)).toBeNull();
    expect(tickTestMomentS(75, 61)).toBeNull();
  });
});

describe('keepAliveRoundOne', () => {
  it('spreads the idle starts of the sockets held to the horizon over one tick of a coarse clock, the passive socket at 0', () => {
    // Act & Assess
    expect(keepAliveIdleStartsS(1)).toEqual([0.5]);
    expect(keepAliveIdleStartsS(3)).toEqual([0.25, 0.5, 0.75]);
    expect(keepAliveIdleStartsS(0)).toEqual([]);
  });

  it('tests the load balancer timeout first, then the timeout plus the margin from half a second later, then the other actives', () => {
    // Act & Assess
    expect(keepAliveRoundOne(1, 60, 66, 61)).toEqual({ roundOneS: [60], idleStartsS: [0] });
    expect(keepAliveRoundOne(2, 60, 66, 61)).toEqual({ roundOneS: [60, 61], idleStartsS: [0, 0.5] });
    expect(keepAliveRoundOne(4, 60, 66, 61)).toEqual({ roundOneS: [33.333, 53.333, 60, 61], idleStartsS: [0, 0, 0, 0.5] });
    expect(keepAliveRoundOne(0, 60, 66, 61)).toEqual({ roundOneS: [], idleStartsS: [] });
  });

  it('sends the request of the socket at another moment within the passive socket\'s horizon', () => {
    // Act & Assess: behind 3 s with a 0.8 s margin the 4 s horizon leaves it 3.5 s
    expect(keepAliveRoundOne(2, 3, 4, 3.8).roundOneS).toEqual([3, 3.5]);
  });
});

describe('alignedSockets', () => {
  it('aligns one keep-alive socket for an HTTP/2 or gRPC target with both phases and keep-alive', () => {
    // Act & Assess
    expect(alignedSockets('GRPC', ['preRequest', 'keepAlive'], true)).toBe(1);
    expect(alignedSockets('HTTP2', ['preRequest', 'keepAlive'], true)).toBe(1);
  });

  it('aligns none for HTTP/1.1, without a pre-request close to align with, or without keep-alive', () => {
    // Act & Assess
    expect(alignedSockets(undefined, ['preRequest', 'keepAlive'], true)).toBe(0);
    expect(alignedSockets('HTTP1', ['preRequest', 'keepAlive'], true)).toBe(0);
    expect(alignedSockets('GRPC', ['keepAlive'], true)).toBe(0);
    expect(alignedSockets('GRPC', ['preRequest'], true)).toBe(0);
    expect(alignedSockets('GRPC', ['preRequest', 'keepAlive'], false)).toBe(0);
  });
});

describe('alignedOutdone', () => {
  it('releases the aligned socket when a keep-alive close already came at the pre-request close plus the lead, or sooner', () => {
    // Act & Assess: a per-connection timer (1.5 s in both phases), and a fixed age seen 0.5 s into a connection's life
    expect(alignedOutdone([1.502], 1.5)).toBe(true);
    expect(alignedOutdone([2.994, 1], 1.5)).toBe(true);
    expect(alignedOutdone([1.5 + ALIGNED_LEAD_S], 1.5)).toBe(true);
  });

  it('keeps it when every keep-alive close came later (gRPC core: up to twice the setting), or none came', () => {
    // Act & Assess
    expect(alignedOutdone([2.994, 2.503], 1.5)).toBe(false);
    expect(alignedOutdone([1.5 + ALIGNED_LEAD_S + 0.001], 1.5)).toBe(false);
    expect(alignedOutdone([], 1.5)).toBe(false);
  });
});

describe('narrowing', () => {
  it('tests the middle of the bracket', () => {
    // Act & Assess
    expect(nextNarrowingIdleS({ survivedS: 38.4, failedS: 50.4 })).toBe(44.4);
  });

  it('schedules each socket a quarter of the current width after the one before', () => {
    // Act & Assess
    expect(narrowingScheduleS(12, 0.5, 6)).toEqual([0, 3, 4.5, 5.25, 5.625]);
  });

  it('plans only as many steps as the precision needs or the sockets allow', () => {
    // Act & Assess
    expect(narrowingScheduleS(0.4, 0.5, 6)).toEqual([]);
    expect(narrowingScheduleS(12, 0.5, 2)).toEqual([0, 3]);
  });

  it('brings each follower to the lower half midpoint exactly when the previous answer is due', () => {
    // Prepare: bracket (38.4, 50.4], the first narrowing socket opens at t = 0
    const schedule = narrowingScheduleS(12, 0.5, 6);
    const firstTest = nextNarrowingIdleS({ survivedS: 38.4, failedS: 50.4 });

    // Act: the second socket's age when the first answer is due
    const ageAtAnswer = firstTest - schedule[1];

    // Assess: it can test the lower half's midpoint at once, or wait for the upper one
    expect(ageAtAnswer).toBeCloseTo(nextNarrowingIdleS({ survivedS: 38.4, failedS: firstTest }), 6);
  });

  it('narrows while the bracket is wider than the precision', () => {
    // Act & Assess
    expect(needsNarrowing({ survivedS: 39.9, failedS: 40.65 }, 0.5)).toBe(true);
    expect(needsNarrowing({ survivedS: 39.9, failedS: 40.275 }, 0.5)).toBe(false);
  });
});

describe('alignedShowsIdleCheck', () => {
  it("takes the aligned socket's close for an idle check from half the pre-request close's idle after its second request, and a close at a jittered age for none", () => {
    // Act & Assess
    expect(alignedShowsIdleCheck(1.551, 1.5)).toBe(true);
    expect(alignedShowsIdleCheck(1.343, 1.707)).toBe(true);
    expect(alignedShowsIdleCheck(2.385, 29.1)).toBe(false);
    expect(alignedShowsIdleCheck(null, 29.1)).toBe(false);
    expect(alignedShowsIdleCheck(1.5, null)).toBe(false);
  });
});
