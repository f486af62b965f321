import { ONE_AT_A_TIME_REASON, UNANSWERED_REASON, summarizeOneAtATime, summarizeUnanswered, unansweredRequest } from '../../../lambda/probe/concurrency';
import { notAcceptedRecord } from '../../../lambda/probe/accept';
import type { PhaseContext } from '../../../lambda/probe/phase-result';
import type { SocketRecord } from '../../../lambda/probe/types';

const context: PhaseContext = { loadBalancerIdleTimeoutS: 60, horizonS: 66, marginS: 1, lagS: 0.002 };

const silentClose = (role: SocketRecord['role'], openedS: number, idleS: number): SocketRecord => ({
  role,
  round: 1,
  plannedIdleS: 66 - openedS,
  openedS,
  outcome: 'closed',
  idleS,
  unprompted: true,
  closedWith: 'fin',
  status: null,
  silent: true,
});
const held = (openedS: number, idleS: number): SocketRecord => ({ role: 'staggered', round: 1, plannedIdleS: 66 - openedS, openedS, outcome: 'held', idleS, unprompted: false, closedWith: null, status: null });
const answered = (role: SocketRecord['role'], idleS: number): SocketRecord => ({ role, round: 1, plannedIdleS: idleS, openedS: 0, outcome: 'response', idleS, unprompted: false, closedWith: null, status: 200 });
const unansweredCheck: SocketRecord = { role: 'active', round: 1, plannedIdleS: 0, ...notAcceptedRecord('a request on a new connection got no byte within 10000 ms') };

describe('summarizeOneAtATime', () => {
  // What gunicorn's sync worker gave: the passive socket closed when the worker timed out at
  // 30.4 s, the socket queued behind it closed 30 s after the worker took it (59.2 s after it connected).
  const records = [silentClose('passive', 0, 30.445), held(4, 29.45), held(6, 27.45), silentClose('staggered', 2.028, 59.15)];

  it('judges a server that closes after every response on its passive socket alone: the limit it set, no sweep read from the queue', () => {
    // Act
    const result = summarizeOneAtATime(records, unansweredCheck, context, false);

    // Assess
    expect(result).toMatchObject({ limitS: 30.445, enforcement: 'eager', closedWith: 'fin', sweepS: null, verdict: 'fail' });
    expect(result.reason).toMatch(new RegExp(`^${ONE_AT_A_TIME_REASON}: a request on a new connection got no byte`));
    expect(result.sockets).toHaveLength(records.length + 1);
  });

  it('turns a pass on the passive socket into doubt: requests would wait behind an idle connection', () => {
    // Act
    const result = summarizeOneAtATime([answered('passive', 66), held(2, 64)], unansweredCheck, context, false);

    // Assess
    expect(result).toMatchObject({ limitS: null, survivedS: 66, verdict: 'inconclusive' });
    expect(result.reason).toMatch(/would leave requests waiting behind an idle one$/);
  });

  it('judges a server that keeps connections alive on every socket, closes on connections it never spoke on discounted', () => {
    // Act: its keep-alive connection may be the one it took, so the passive socket may have waited too
    const result = summarizeOneAtATime(records, unansweredCheck, context, true);

    // Assess
    expect(result).toMatchObject({ limitS: null, verdict: 'inconclusive' });
    expect(result.sockets.filter((socket) => socket.notAccepted === true)).toHaveLength(3);
  });
});

describe('summarizeUnanswered', () => {
  const timedOut: SocketRecord = { role: 'active', round: 1, plannedIdleS: 33.3, openedS: 0.27, outcome: 'closed', idleS: 33.334, unprompted: false, closedWith: 'timeout', status: null };

  it('reads no limit from a request that waited for a worker, and passes on a longer idle the server answered', () => {
    // Act
    const result = summarizeUnanswered([answered('passive', 66), timedOut], new Set([timedOut]), context);

    // Assess
    expect(result).toMatchObject({ limitS: null, survivedS: 66, verdict: 'pass', evidence: { socketsUnaccepted: 0 } });
    expect(result.sockets[1]).toMatchObject({ outcome: 'unsent', idleS: null, error: expect.stringMatching(/^sent after 33.334 s idle, it got no answer/) });
  });

  it("passes on the server's own close past the timeout plus the margin: gunicorn --threads 4 --keep-alive 65, its threads held by silent connections", () => {
    // Prepare: what the run recorded, the passive keep-alive connection closed by the worker's loop at 65.3 s
    const keepAliveClose: SocketRecord = { ...silentClose('passive', 0, 65.329), silent: undefined };
    const waited: SocketRecord = { ...timedOut, plannedIdleS: 60, idleS: 60.028 };

    // Act
    const result = summarizeUnanswered([keepAliveClose, waited, answered('active', 59.099)], new Set([waited]), context);

    // Assess
    expect(result).toMatchObject({ limitS: 65.329, enforcement: 'eager', closedWith: 'fin', verdict: 'pass' });
    expect(result.reason).toBeUndefined();
  });

  it('is inconclusive, saying why, when the other sockets do not decide', () => {
    // Act
    const result = summarizeUnanswered([answered('active', 30), timedOut], new Set([timedOut]), context);

    // Assess
    expect(result).toMatchObject({ limitS: null, verdict: 'inconclusive' });
    expect(result.reason).toMatch(new RegExp(`^${UNANSWERED_REASON} \\(1 of 2\\), and the other sockets did not decide`));
  });

  it('keeps a fail shown by a close of the server', () => {
    // Prepare: a keep-alive connection the server closed (it had answered on it: not silent)
    const closed: SocketRecord = { ...silentClose('passive', 0, 20.2), silent: undefined };

    // Act
    const result = summarizeUnanswered([closed, timedOut], new Set([timedOut]), context);

    // Assess
    expect(result).toMatchObject({ limitS: 20.2, verdict: 'fail' });
  });
});

describe('unansweredRequest', () => {
  it('is a request that got neither an answer nor a close on a connection the server had spoken on', () => {
    // Prepare
    const timedOut: SocketRecord = { ...answered('active', 30), outcome: 'closed', closedWith: 'timeout', status: null };

    // Act, Assess
    expect(unansweredRequest(timedOut)).toBe(true);
    expect(unansweredRequest({ ...timedOut, silent: true })).toBe(false);
    expect(unansweredRequest({ ...timedOut, closedWith: 'fin' })).toBe(false);
    expect(unansweredRequest(answered('active', 30))).toBe(false);
  });
});
