import { discountUnaccepted, neverAccepted, notAcceptedRecord, unacceptedCount, withAcceptDoubt } from '../../../lambda/probe/accept';
import type { SocketRecord } from '../../../lambda/probe';
import { summarizePhase } from '../../../lambda/probe/phase-result';

const answered: SocketRecord = { role: 'passive', round: 1, plannedIdleS: 2, outcome: 'response', idleS: 2, unprompted: false, closedWith: null, status: 200 };
const queued: SocketRecord = { role: 'active', round: 1, plannedIdleS: 1, ...notAcceptedRecord('127.0.0.1:8080: no connection within 5000 ms') };

describe('never-accepted connections', () => {
  it('tells a timeout on a connection the server never spoke on from one it answered before', () => {
    // Act & Assess
    expect(neverAccepted({ closedWith: 'timeout', silent: true })).toBe(true);
    expect(neverAccepted({ closedWith: 'timeout', silent: false })).toBe(false);
    expect(neverAccepted({ closedWith: 'fin', silent: true })).toBe(false);
  });

  it('turns a pass into doubt with the reason, and leaves a fail on real evidence', () => {
    // Act
    const doubted = withAcceptDoubt('pass', unacceptedCount([answered, queued]), 2);

    // Assess
    expect(doubted).toEqual({
      verdict: 'inconclusive',
      reason: 'the server did not accept every connection: 1 of 2 connection(s) got no connect or no first byte in time (a full accept queue or a connection limit), so they measured nothing',
    });
    expect(withAcceptDoubt('fail', 1, 2)).toEqual({ verdict: 'fail' });
    expect(withAcceptDoubt('pass', unacceptedCount([answered]), 1)).toEqual({ verdict: 'pass' });
  });

  it('records a never-accepted socket as one that measured nothing', () => {
    // Act & Assess
    expect(queued).toMatchObject({ outcome: 'unsent', idleS: null, notAccepted: true, error: '127.0.0.1:8080: no connection within 5000 ms (never accepted by the server)' });
  });
});

describe('discountUnaccepted', () => {
  const silentReset: SocketRecord = { role: 'active', round: 1, plannedIdleS: 1, outcome: 'closed', idleS: 1.2, unprompted: false, closedWith: 'rst', status: null, silent: true };
  const spokenClose: SocketRecord = { ...silentReset, closedWith: 'http-408', status: 408, silent: undefined };

  it('turns a close without a byte into no measurement when the server left other connections unaccepted', () => {
    // Act
    const judged = discountUnaccepted([answered, queued, silentReset, spokenClose]);

    // Assess
    expect(judged[2]).toMatchObject({ outcome: 'unsent', idleS: null, closedWith: null, notAccepted: true, error: 'closed (rst) after 1.2 s without a byte, while the server left other connections unaccepted (never accepted by the server)' });
    expect(judged[3]).toBe(spokenClose);
  });

  it('leaves every close as it is when the server accepted every connection', () => {
    // Act & Assess
    expect(discountUnaccepted([answered, silentReset])).toEqual([answered, silentReset]);
  });
});

describe('summarizePhase with connections the server never accepted', () => {
  it('reports no limit from a reset the kernel sent for a connection it never handed over, only doubt', () => {
    // Prepare: one connection survived the horizon, one never connected, one was reset without a byte at 1.2 s
    const reset: SocketRecord = { role: 'active', round: 1, plannedIdleS: 1.2, outcome: 'closed', idleS: 1.2, unprompted: false, closedWith: 'rst', status: null, silent: true };

    // Act
    const phase = summarizePhase([answered, queued, reset], { loadBalancerIdleTimeoutS: 1, horizonS: 2, marginS: 0.2, lagS: 0.001 });

    // Assess
    expect(phase).toMatchObject({ verdict: 'inconclusive', limitS: null, failedS: null, enforcement: 'none', closedWith: null });
    expect(phase.reason).toMatch(/^the server did not accept every connection: 2 of 3 connection\(s\)/);
  });
});
