import { neverAccepted, notAcceptedRecord, withAcceptDoubt } from '../../../lambda/probe/accept';
import type { SocketRecord } from '../../../lambda/probe';

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
    const doubted = withAcceptDoubt('pass', [answered, queued]);

    // Assess
    expect(doubted).toEqual({
      verdict: 'inconclusive',
      reason: 'the server did not accept every connection: 1 of 2 connection(s) got no connect or no first byte in time (a full accept queue or a connection limit), so they measured nothing',
    });
    expect(withAcceptDoubt('fail', [answered, queued])).toEqual({ verdict: 'fail' });
    expect(withAcceptDoubt('pass', [answered])).toEqual({ verdict: 'pass' });
  });

  it('records a never-accepted socket as one that measured nothing', () => {
    // Act & Assess
    expect(queued).toMatchObject({ outcome: 'unsent', idleS: null, notAccepted: true, error: '127.0.0.1:8080: no connection within 5000 ms (never accepted by the server)' });
  });
});
