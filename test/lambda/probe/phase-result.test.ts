import { notAcceptedRecord } from '../../../lambda/probe/accept';
import { currentBracket, NO_KEEP_ALIVE_REASON, phaseEvidence, phaseVerdict, summarizePhase, type PhaseContext, type Standard } from '../../../lambda/probe/phase-result';
import { roundS } from '../../../lambda/probe/plan';
import type { PhaseResult, SocketRecord } from '../../../lambda/probe/types';

const context: PhaseContext = { loadBalancerIdleTimeoutS: 60, horizonS: 66, marginS: 1, lagS: 0.002 };

const answered = (idleS: number, round = 1): SocketRecord => ({
  role: 'active',
  round,
  plannedIdleS: idleS,
  outcome: 'response',
  idleS,
  unprompted: false,
  closedWith: null,
  status: 200,
});
const refused = (idleS: number, closedWith: SocketRecord['closedWith'] = 'fin', round = 1): SocketRecord => ({
  ...answered(idleS, round),
  outcome: 'closed',
  closedWith,
  status: null,
});
const closedByServer = (idleS: number, closedWith: SocketRecord['closedWith'], role: SocketRecord['role'] = 'passive'): SocketRecord => ({
  role,
  round: 1,
  plannedIdleS: 66,
  outcome: 'closed',
  idleS,
  unprompted: true,
  closedWith,
  status: closedWith === 'http-408' ? 408 : null,
});

describe('summarizePhase', () => {
  it('reports a lazy limit as the shortest idle that failed, bracketed by the longest that survived', () => {
    // Prepare: the Node.js 8.14 pattern, refused late requests after 40 s
    const sockets = [answered(21.6), answered(38.4), refused(50.4), refused(57.6, 'rst'), answered(39.9, 4), refused(40.275, 'fin', 6), refused(66)];

    // Act
    const result = summarizePhase(sockets, context);

    // Assess
    expect(result).toMatchObject({
      limitS: 40.275,
      survivedS: 39.9,
      failedS: 40.275,
      enforcement: 'lazy',
      closedWith: 'fin',
      headroomS: -19.725,
      verdict: 'fail',
    });
  });

  it('reports an eager limit as the moment the server closed, alive until just before', () => {
    // Prepare: Node.js keep-alive 5 s, passive and active sockets closed by the server
    const sockets = [answered(3.2), closedByServer(5.002, 'fin'), closedByServer(5.003, 'fin', 'active')];

    // Act
    const result = summarizePhase(sockets, context);

    // Assess
    // The active socket closed at 5.003 s was still open 2 ms (the lag) earlier.
    expect(result).toMatchObject({ limitS: 5.002, survivedS: 5.001, failedS: 5.002, enforcement: 'eager', closedWith: 'fin', verdict: 'fail' });
  });

  it('passes when connections survive the horizon, with the horizon as headroom', () => {
    // Prepare
    const sockets = [answered(21.6), answered(60), answered(66)];

    // Act
    const result = summarizePhase(sockets, context);

    // Assess
    expect(result).toMatchObject({ limitS: null, survivedS: 66, failedS: null, enforcement: 'none', closedWith: null, headroomS: 6, verdict: 'pass' });
  });

  it('passes an eager limit beyond the timeout plus margin', () => {
    // Prepare: nginx keepalive_timeout 75 s held to a longer horizon
    const sockets = [answered(60), closedByServer(75.001, 'fin')];

    // Act
    const result = summarizePhase(sockets, { ...context, horizonS: 80 });

    // Assess
    expect(result).toMatchObject({ limitS: 75.001, headroomS: 15.001, verdict: 'pass' });
  });

  it('fails a limit that equals the load balancer timeout: both sides would close together', () => {
    // Prepare: nginx client_header_timeout 60 s behind a 60 s load balancer
    const sockets = [answered(57.6), closedByServer(60.001, 'fin')];

    // Act
    const result = summarizePhase(sockets, context);

    // Assess
    expect(result).toMatchObject({ limitS: 60.001, headroomS: 0.001, verdict: 'fail' });
  });

  it('names an unsolicited 408 as the way the server closed', () => {
    // Prepare
    const sockets = [closedByServer(61.2, 'http-408')];

    // Act
    const result = summarizePhase(sockets, { ...context, horizonS: 95 });

    // Assess
    expect(result).toMatchObject({ limitS: 61.2, closedWith: 'http-408', enforcement: 'eager', verdict: 'pass' });
  });

  it('treats a request that met an unprompted close as the eager close it raced', () => {
    // Prepare: the 60 s socket sent just as the server's FIN left
    const sockets = [refused(60, 'rst'), closedByServer(60.02, 'fin')];

    // Act
    const result = summarizePhase(sockets, context);

    // Assess
    expect(result).toMatchObject({ limitS: 60, enforcement: 'eager', closedWith: 'fin' });
  });

  it('keeps a failure below the timeout a failure even when the phase was cut short', () => {
    // Prepare
    const sockets = [answered(21.6), refused(38.4)];

    // Act
    const result = summarizePhase(sockets, { ...context, cutShort: 'the time budget ran out after 40 s of probing (horizon 66 s)' });

    // Assess
    expect(result.verdict).toBe('fail');
    expect(result.reason).toBeUndefined();
  });

  it('is inconclusive, with the reason, when cut short before any evidence past the timeout', () => {
    // Prepare
    const reason = 'the time budget ran out after 30 s of probing (horizon 66 s)';

    // Act
    const result = summarizePhase([answered(21.6)], { ...context, cutShort: reason });

    // Assess
    expect(result).toMatchObject({ limitS: null, survivedS: 21.6, headroomS: null, verdict: 'inconclusive', reason });
  });

  it('is inconclusive, never a pass, when the horizon is shorter than the timeout plus margin', () => {
    // Prepare: a 3600 s load balancer probed within a Lambda's 900 s
    const sockets = [answered(850)];

    // Act
    const result = summarizePhase(sockets, { ...context, loadBalancerIdleTimeoutS: 3600, horizonS: 850 });

    // Assess
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toBe('connections were held for 850 s, less than the load balancer idle timeout plus margin (3601 s)');
  });

  it('is inconclusive when no socket measured anything', () => {
    // Act & Assess
    expect(summarizePhase([], context)).toMatchObject({ verdict: 'inconclusive', reason: 'no socket survived or failed an idle' });
  });
});

describe('currentBracket', () => {
  it('has no bracket until something failed', () => {
    // Act & Assess
    expect(currentBracket([answered(21.6)], 0.002)).toBeNull();
  });

  it('brackets between the longest survival below the first failure and that failure', () => {
    // Act & Assess
    expect(currentBracket([answered(21.6), answered(38.4), refused(50.4), answered(66)], 0.002)).toEqual({ survivedS: 38.4, failedS: 50.4 });
  });
});

describe('summarizePhase with closes in periodic sweeps', () => {
  /** Sockets opened 2 s apart; a sweep at `sweepS` closes those idle longer than `thresholdS`; the others are released 3 s later. */
  const swept = (thresholdS: number, sweepS: number): SocketRecord[] =>
    Array.from({ length: 16 }, (_, i): SocketRecord => {
      const openedS = 2 * i;
      const ageS = sweepS - openedS;
      return ageS > thresholdS
        ? { ...closedByServer(ageS, 'http-408', i === 0 ? 'passive' : 'staggered'), openedS }
        : { role: 'staggered', round: 1, plannedIdleS: 66 - openedS, openedS, outcome: 'held', idleS: ageS + 3, unprompted: false, closedWith: null, status: null };
    });

  it('reports the threshold, not one socket’s close, and fails a 60 s threshold behind a 60 s load balancer whatever the sweep’s phase', () => {
    for (const sweepAtS of [60.5, 64.9, 71.3, 77.7, 83.1, 89.9]) {
      // Act
      const result = summarizePhase(swept(60, sweepAtS), context);

      // Assess
      expect(result).toMatchObject({ enforcement: 'eager', closedWith: 'http-408', verdict: 'fail' });
      expect(result.sweepS).not.toBeNull();
      expect(result.survivedS!).toBeLessThanOrEqual(60);
      expect(result.limitS!).toBeGreaterThan(60);
      expect(result.limitS! - result.survivedS!).toBeLessThanOrEqual(2);
    }
  });

  it('passes a threshold seen to be survived past the timeout plus margin, and judges a straddling bracket a failure', () => {
    // Act
    const tuned = summarizePhase(swept(70, 85.5), context);
    const straddling = summarizePhase(swept(60.5, 75), context);

    // Assess: the 61 s limit alone would pass, but the bracket reaches below 61 s, so the threshold may be below it
    expect(tuned).toMatchObject({ verdict: 'pass' });
    expect(tuned.survivedS!).toBeGreaterThanOrEqual(68);
    expect(straddling).toMatchObject({ survivedS: 59, limitS: 61, verdict: 'fail' });
  });

  it('cannot pass on survivals when the closes came on several schedules, and says so', () => {
    // Prepare: Node.js defaults in two workers, on real sockets (10 s apart, behind 60 s): worker
    // A swept at 86.54 s, closing its sockets; worker B's, older than A's youngest close, stayed
    // open, and so did the one opened at 25.2 s, 61.4 s idle then
    const at = (openedS: number, outcome: SocketRecord['outcome'], endS: number): SocketRecord =>
      outcome === 'closed'
        ? { ...closedByServer(roundS(endS - openedS), 'http-408', 'staggered'), openedS }
        : { role: 'staggered', round: 1, plannedIdleS: 66 - openedS, openedS, outcome, idleS: roundS(endS - openedS), unprompted: false, closedWith: null, status: outcome === 'response' ? 200 : null };
    const sockets = [at(0, 'closed', 86.543), at(3.872, 'closed', 86.549), at(23.247, 'closed', 86.561), at(9.684, 'held', 96.5), at(21.309, 'held', 96.5), at(25.185, 'held', 96.5)];

    // Act
    const result = summarizePhase(sockets, context);

    // Assess
    expect(result).toMatchObject({ verdict: 'inconclusive', survivedS: null, limitS: 63.314, evidence: { severalSweepSchedules: true } });
    expect(result.reason).toMatch(/several schedules \(worker processes/);
  });

  it('passes on survivors asked after the sweep, and reads a request that met a close of the same sweep as the sweep\'s', () => {
    // Prepare: a 70 s threshold swept at 85.5 s; 5 ms later the sockets it spared past the pass
    // line send their requests, each in one write. The one opened at 14 s was closed by the same
    // sweep, its close not read yet: its request met that close. The others answer.
    const asked = (openedS: number, outcome: SocketRecord['outcome']): SocketRecord => ({
      role: 'staggered', round: 1, plannedIdleS: 66 - openedS, openedS, outcome, idleS: 85.505 - openedS, unprompted: false, closedWith: outcome === 'closed' ? 'fin' : null, status: outcome === 'response' ? 200 : null,
    });
    const sockets = swept(70, 85.5).map((s) => (s.openedS === 14 ? asked(14, 'closed') : s.outcome === 'held' && s.openedS! <= 24 ? asked(s.openedS!, 'response') : s));

    // Act
    const result = summarizePhase(sockets, context);

    // Assess: survived 69.5 s at the sweep (the socket opened at 16 s), 61 needed; the request
    // that met a close failed at its idle when the sweep came (71.5 s), and the sweep's closes,
    // not that request, say how the server enforces
    expect(result).toMatchObject({ verdict: 'pass', survivedS: 69.5, limitS: 71.5, enforcement: 'eager', closedWith: 'http-408' });
  });
});

describe('summarizePhase with the tick test\'s socket (keep-alive, a coarse clock)', () => {
  it('fails on its close below the timeout plus the margin when the other closes read as one check that no socket survived', () => {
    // Prepare: a clock closing from 3 to 4 s idle behind 3 s with a 0.2 s margin, on real
    // sockets: the passive socket and the one half a tick later closed at one tick, then the
    // tick test's socket 3.154 s after its idle began. Its close is no span of the sweep
    // analysis (`spansOf`), and the phase read "a periodic check closed connections idle
    // 3.207 s, and no connection was seen to survive a check": inconclusive.
    const keepAlive: PhaseContext = { loadBalancerIdleTimeoutS: 3, horizonS: 4, marginS: 0.2, lagS: 0.002, sweepToleranceS: 0.025 };
    const sockets: SocketRecord[] = [
      { ...answered(3.001), plannedIdleS: 3, openedS: 0.253 },
      { ...closedByServer(3.71, 'fin'), plannedIdleS: 4, openedS: 0 },
      { ...closedByServer(3.207, 'fin', 'active'), plannedIdleS: 3.2, openedS: 0.503 },
      { ...closedByServer(3.154, 'fin', 'tick'), plannedIdleS: 3.2, openedS: 4.543 },
    ];

    // Act
    const result = summarizePhase(sockets, keepAlive);

    // Assess
    expect(result).toMatchObject({ limitS: 3.154, failedS: 3.154, enforcement: 'eager', closedWith: 'fin', verdict: 'fail' });
  });

  it.each([
    ['closed before its request', true],
    ['closed in answer to its request, which crossed the close', false],
  ])('fails at its request\'s idle when a late event loop read its close past it: %s', (_, unprompted) => {
    // Prepare: the tick closed it 0.03 s before its request at 3.2 s; a loop late by 50 ms read 3.22 s
    const keepAlive: PhaseContext = { loadBalancerIdleTimeoutS: 3, horizonS: 4, marginS: 0.2, lagS: 0.05, sweepToleranceS: 0.025 };
    const sockets: SocketRecord[] = [
      { ...answered(3.001), plannedIdleS: 3, openedS: 0.253 },
      { ...closedByServer(3.71, 'fin'), plannedIdleS: 4, openedS: 0 },
      { ...answered(3.2), plannedIdleS: 3.2, openedS: 0.503 },
      { ...closedByServer(3.22, 'fin', 'tick'), unprompted, plannedIdleS: 3.2, openedS: 4.543 },
    ];

    // Act
    const result = summarizePhase(sockets, keepAlive);

    // Assess: the record keeps what was read; the judge reads the close at the request's idle at most
    expect(result).toMatchObject({ limitS: 3.2, enforcement: 'eager', verdict: 'fail' });
    expect(result.sockets.find((socket) => socket.role === 'tick')!.idleS).toBe(3.22);
  });
});

describe('summarizePhase with an aligned socket (HTTP/2 and gRPC keep-alive)', () => {
  /** gRPC core, 1.5 s, behind 2.5 s: the sockets called at their first answers closed at once at 3 s, after different idles. */
  const grpcCore = (aligned: SocketRecord): SocketRecord[] => [
    { ...answered(2.501), openedS: 0.018 },
    { ...closedByServer(2.994, 'goaway'), openedS: 0 },
    { ...closedByServer(2.503, 'goaway', 'active'), plannedIdleS: 2.7, openedS: 0.509 },
    aligned,
  ];
  const keepAliveContext: PhaseContext = { loadBalancerIdleTimeoutS: 2.5, horizonS: 3.5, marginS: 0.2, lagS: 0.001, sweepToleranceS: 0.027 };

  it('reads a phase whose aligned socket the server closed per connection: its close is the limit, no sweep', () => {
    // Act
    const result = summarizePhase(grpcCore({ ...closedByServer(1.521, 'goaway', 'aligned'), plannedIdleS: 1.955, openedS: 1.545 }), keepAliveContext);

    // Assess
    expect(result).toMatchObject({ limitS: 1.521, enforcement: 'eager', closedWith: 'goaway', sweepS: null, verdict: 'fail' });
    expect(result.sweepsSeen).toBeUndefined();
  });

  it('keeps the sweep analysis when the aligned socket closed past the idle a pass needs: a pass rests on survivals only it can weigh', () => {
    // Prepare: behind 1 s with a 0.2 s margin, the aligned socket closed at 1.521 s, past the 1.2 s a pass needs
    const context: PhaseContext = { ...keepAliveContext, loadBalancerIdleTimeoutS: 1, horizonS: 3.5 };

    // Act
    const result = summarizePhase(grpcCore({ ...closedByServer(1.521, 'goaway', 'aligned'), plannedIdleS: 1.955, openedS: 1.545 }), context);

    // Assess: read as without the aligned socket's shortcut: the closes of different ages at once are a sweep
    expect(result.sweepS).not.toBeNull();
  });

  it('reads the other closes as before when the aligned socket was released unused', () => {
    // Act
    const result = summarizePhase(
      grpcCore({ role: 'aligned', round: 1, plannedIdleS: 3.44, openedS: 0.06, outcome: 'held', idleS: 1.445, unprompted: false, closedWith: null, status: null }),
      keepAliveContext,
    );

    // Assess: the closes of different ages at once read as a sweep, as without the aligned socket
    expect(result.limitS).toBe(2.503);
    expect(result.sweepS).not.toBeNull();
  });
});

describe('phaseVerdict, from the bracket and the evidence a phase carries', () => {
  const queued: SocketRecord = { role: 'active', round: 1, plannedIdleS: 61, ...notAcceptedRecord('10.0.1.7:30080: no connection within 5000 ms') };
  const standard = { idleTimeoutS: 60, marginS: 1, horizonS: 66 };
  const judge = (measured: PhaseResult, against: Standard) => phaseVerdict({ ...measured, evidence: phaseEvidence(measured) }, against);

  it('records what the verdict rests on: sockets opened, never accepted, keep-alive, why it was cut short', () => {
    // Act
    const result = summarizePhase([answered(66.004), answered(62), queued], { ...context, cutShort: 'the run was aborted after 70.0 s of probing (horizon 66 s)' });

    // Assess
    expect(result.evidence).toEqual({ socketsOpened: 3, socketsUnaccepted: 1, keepAliveOffered: true, cutShort: 'the run was aborted after 70.0 s of probing (horizon 66 s)' });
    expect(result).toMatchObject({ verdict: 'inconclusive', reason: 'the run was aborted after 70.0 s of probing (horizon 66 s)' });
  });

  it('gives the probe\'s own verdict and reason for the same standard, with no socket record at all', () => {
    // Prepare
    const measured = summarizePhase([answered(66.004), answered(62), queued], context);

    // Act
    const judged = judge({ ...measured, sockets: [] }, standard);

    // Assess
    expect(judged).toEqual({ verdict: measured.verdict, reason: measured.reason });
    expect(judged.reason).toContain('1 of 3 connection(s)');
  });

  it('fails a limit exactly at the timeout plus the margin, as the contract says (a limit at or below it fails)', () => {
    // Prepare: a server that closes idle connections at 61 s, measured to the millisecond
    const measured = summarizePhase([answered(60.5), closedByServer(61, 'fin')], context);

    // Act
    const [atMargin, justAbove] = [standard, { ...standard, marginS: 0.999 }].map((against) => judge(measured, against).verdict);

    // Assess: at 60 + 1 s it fails; 1 ms of headroom more is still no evidence of survival past it
    expect(atMargin).toBe('fail');
    expect(justAbove).toBe('inconclusive');
  });

  it('judges the same bracket against another timeout and margin: a pass, a fail, doubt that stays doubt', () => {
    // Prepare
    const survived = summarizePhase([answered(66.004), answered(62)], context);
    const doubted = summarizePhase([answered(66.004), answered(62), queued], context);

    // Act & Assess
    expect(judge(survived, { ...standard, idleTimeoutS: 30 })).toEqual({ verdict: 'pass' });
    expect(judge(survived, { ...standard, idleTimeoutS: 65.5, horizonS: 70 })).toEqual({ verdict: 'inconclusive', reason: 'connections survived 66.004 s, short of the 66.5 s needed' });
    expect(judge(doubted, { ...standard, idleTimeoutS: 30 }).verdict).toBe('inconclusive');
  });

  it('passes a server without keep-alive against any timeout, saying why', () => {
    // Act & Assess
    const evidence = { socketsOpened: 0, socketsUnaccepted: 0, keepAliveOffered: false };
    expect(phaseVerdict({ limitS: null, survivedS: null, sweepS: null, evidence }, { ...standard, idleTimeoutS: 4000 })).toEqual({ verdict: 'pass', reason: NO_KEEP_ALIVE_REASON });
  });

  it('rebuilds the evidence of a phase written before it: from its records, and from its reason when they were dropped', () => {
    // Prepare
    const older = { ...summarizePhase([answered(66.004), answered(62), queued], context), evidence: undefined };
    const compacted = { ...older, sockets: [answered(66.004)], socketsOmitted: 2 };

    // Act & Assess
    expect(phaseEvidence(older)).toEqual({ socketsOpened: 3, socketsUnaccepted: 1, keepAliveOffered: true });
    expect(phaseEvidence(compacted)).toEqual({ socketsOpened: 3, socketsUnaccepted: 1, keepAliveOffered: true });
  });
});
