/**
 * A verdict made once, from what the result keeps: compacting a result to its state budget
 * drops socket records, never the evidence a load balancer's verdict rests on.
 */
import type { LoadBalancerPlan, ProbePlanItem } from '../../../lambda/discovery/types';
import { judgeLoadBalancers } from '../../../lambda/judge';
import type { ProbeResult, SocketRecord } from '../../../lambda/probe';
import { notAcceptedRecord } from '../../../lambda/probe/accept';
import { summarizePhase } from '../../../lambda/probe/phase-result';
import { compactResult, jsonBytes } from '../../../lambda/run/limits';

const target = { host: '10.0.1.7', port: 30080, tls: false, path: '/health' };
const key = '10.0.1.7:30080|http|/health|plain';

/**
 * A sweep phase of 48 sockets as the engine records one: the passive socket and 44 staggered
 * ones answered after their idle, 3 the server never accepted (one sync worker held by an idle
 * pre-opened connection).
 */
function queuedSweepPhase(): SocketRecord[] {
  const passive: SocketRecord = { role: 'passive', round: 1, plannedIdleS: 66, outcome: 'response', idleS: 66.004, openedS: 0, unprompted: false, closedWith: null, status: 200 };
  const staggered = Array.from({ length: 44 }, (_, i): SocketRecord => ({ role: 'staggered', round: 1, plannedIdleS: 62, outcome: 'response', idleS: 62.002, openedS: 0.25 * (i + 1), unprompted: false, closedWith: null, status: 200 }));
  const queued = Array.from({ length: 3 }, (_, i): SocketRecord => ({ role: 'active', round: 1, plannedIdleS: 61 + i, ...notAcceptedRecord('10.0.1.7:30080: no connection within 5000 ms') }));
  return [passive, ...staggered, ...queued];
}

function resultOf(sockets: readonly SocketRecord[]): ProbeResult {
  const phase = summarizePhase(sockets, { loadBalancerIdleTimeoutS: 60, horizonS: 66, marginS: 1, lagS: 0.002 });
  return { target, loadBalancerIdleTimeoutS: 60, horizonS: 66, phases: { preRequest: phase }, verdict: phase.verdict, startedAt: '2026-12-04T04:00:00.000Z', elapsedS: 66.1, socketsUsed: sockets.length, marginS: 1 };
}

const lb: LoadBalancerPlan = { name: 'k8s-web', type: 'classic', vpcId: 'vpc-1', idleTimeoutS: 60, backends: [{ id: '10.0.1.7:30080', target, proxyProtocol: false }], backendsNotSampled: 0, skipped: [] };
const plan: ProbePlanItem[] = [{ key, job: { target, loadBalancerIdleTimeoutS: 60 }, loadBalancers: ['k8s-web'] }];

describe('a result compacted to its state budget', () => {
  it('keeps a load balancer inconclusive when the records of the connections never accepted are dropped', () => {
    // Prepare: 3 of 48 connections never accepted, the rest survived past the timeout plus margin
    const full = resultOf(queuedSweepPhase());

    // Act
    const compact = compactResult(full, key);
    const [before] = judgeLoadBalancers([lb], plan, [full]);
    const [after] = judgeLoadBalancers([lb], plan, [compact]);

    // Assess
    const omitted = compact.phases.preRequest!.socketsOmitted ?? 0;
    console.log(`full ${jsonBytes({ key, result: full })} bytes, compacted ${jsonBytes({ key, result: compact })} bytes (${omitted} records dropped): load balancer ${before.verdict} before, ${after.verdict} after`);
    expect(full.phases.preRequest).toMatchObject({ verdict: 'inconclusive', reason: expect.stringContaining('3 of 48') });
    expect(compact.phases.preRequest!.sockets.some((socket) => socket.notAccepted === true)).toBe(false);
    expect(before.verdict).toBe('inconclusive');
    expect(after.verdict).toBe('inconclusive');
    expect(after.phases.preRequest).toEqual(before.phases.preRequest);
  });

  it('keeps a result of a version before the evidence inconclusive when its unaccepted records were dropped', () => {
    // Prepare: the same phase as an older version wrote it, compacted without evidence
    const phase = resultOf(queuedSweepPhase()).phases.preRequest!;
    const compacted = { ...phase, evidence: undefined, sockets: phase.sockets.filter((socket) => socket.notAccepted !== true), socketsOmitted: 3 };
    const saved: ProbeResult = { ...resultOf(queuedSweepPhase()), phases: { preRequest: compacted } };

    // Act
    const [verdict] = judgeLoadBalancers([lb], plan, [saved]);

    // Assess
    expect(verdict.verdict).toBe('inconclusive');
  });
});
