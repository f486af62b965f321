import type { LoadBalancerPlan } from '../../../lambda/discovery/types';
import { judgeLoadBalancers } from '../../../lambda/judge';
import type { PhaseResult, ProbeResult, SocketRecord } from '../../../lambda/probe';
import { notAcceptedRecord } from '../../../lambda/probe/accept';

const target = { host: '10.0.1.7', port: 30080, tls: false, path: '/health' };
const survived: SocketRecord = { role: 'passive', round: 1, plannedIdleS: 66, outcome: 'response', idleS: 66, unprompted: false, closedWith: null, status: 200 };
const queued: SocketRecord = { role: 'active', round: 1, plannedIdleS: 60, ...notAcceptedRecord('10.0.1.7:30080: no connection within 5000 ms') };
const doubted: PhaseResult = { limitS: null, survivedS: 66, failedS: null, enforcement: 'none', sweepS: null, closedWith: null, headroomS: 6, verdict: 'inconclusive', reason: 'the server did not accept every connection: ...', sockets: [survived, queued] };
const result: ProbeResult = { target, loadBalancerIdleTimeoutS: 60, horizonS: 66, phases: { preRequest: doubted }, verdict: 'inconclusive', startedAt: '2026-11-24T10:15:00.000Z', elapsedS: 66, socketsUsed: 2 };
const lb: LoadBalancerPlan = { name: 'k8s-web', type: 'classic', vpcId: 'vpc-1', idleTimeoutS: 30, backends: [{ id: '10.0.1.7:30080', target, proxyProtocol: false }], backendsNotSampled: 0, skipped: [] };

describe('judgeLoadBalancers with connections the server never accepted', () => {
  it('keeps the doubt when judging against a shorter timeout the survival alone would pass', () => {
    // Act
    const [verdict] = judgeLoadBalancers([lb], [{ key: '10.0.1.7:30080|http|/health|plain', job: { target, loadBalancerIdleTimeoutS: 60 }, loadBalancers: ['k8s-web'] }], [result]);

    // Assess
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.phases.preRequest).toMatchObject({ verdict: 'inconclusive', limitS: null });
  });
});
