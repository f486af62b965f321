import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as discover } from '../../../lambda/handlers/discover';
import type { ProbeResult, SocketRecord } from '../../../lambda/probe';
import { backendsPerRun, compactResult, jsonBytes, PROBE_WAVES, RESULT_MAX_BYTES } from '../../../lambda/run/limits';
import { targetsPerInvocation } from '../../../lambda/run/shards';
import type { DistributedRun } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { mockAccount } from '../discovery/fixtures';

/** A result as large as the engine makes one (a sweep's staggered sockets: 20 a phase), with long server hints. */
function largestResult(hint: string, socketsPerPhase = 20): ProbeResult {
  const socket: SocketRecord = { role: 'active', round: 3, plannedIdleS: 61.25, outcome: 'closed', idleS: 61.251, unprompted: false, closedWith: 'http-other', status: 408, error: `socket-error: ${hint}` };
  const phase = { limitS: 61.25, survivedS: 60.75, failedS: 61.25, enforcement: 'lazy' as const, sweepS: 30.125, sweepsSeen: 2, closedWith: 'http-other' as const, headroomS: 0.25, verdict: 'fail' as const, reason: hint, sockets: Array.from({ length: socketsPerPhase }, () => socket) };
  return {
    target: { host: '10.200.255.254', port: 32767, tls: true, path: `/${hint}` },
    loadBalancerIdleTimeoutS: 60,
    horizonS: 66,
    phases: { preRequest: phase, keepAlive: phase },
    verdict: 'fail',
    server: { server: hint, poweredBy: hint, keepAlive: hint, advertisedKeepAliveS: 5, connectionClose: false, status: 200 },
    startedAt: '2026-11-30T17:00:00.000Z',
    elapsedS: 96.5,
    socketsUsed: 40,
    peakSockets: 16,
  };
}

describe('compactResult', () => {
  it('leaves an ordinary result as it is', () => {
    // Prepare: a per-connection timer's phase (passive, three active sockets and a narrowing chain)
    const result = largestResult('nginx', 8);

    // Act & Assess
    expect(compactResult(result, 'k')).toBe(result);
  });

  it.each([200, 2_000, 60_000])('holds a result with %i-character strings within the limit, keeping its limits and verdicts', (length) => {
    // Prepare
    const result = largestResult('x'.repeat(length));

    // Act
    const compact = compactResult(result, '10.200.255.254:32767|https|/x|proxy');

    // Assess
    expect(jsonBytes({ key: '10.200.255.254:32767|https|/x|proxy', result: compact })).toBeLessThanOrEqual(RESULT_MAX_BYTES);
    expect(compact.phases.keepAlive).toMatchObject({ limitS: 61.25, headroomS: 0.25, verdict: 'fail' });
    expect(compact.verdict).toBe('fail');
  });

  it('drops only as many socket records as it must, unused ones first, and counts them', () => {
    // Prepare: 40 records, 4 of them released unused, one the bracket's own end
    const result = largestResult('nginx');
    const phase = result.phases.preRequest!;
    const sockets = phase.sockets.map((socket, i) => (i < 4 ? { ...socket, outcome: 'held' as const, idleS: 10 + i } : { ...socket, idleS: i === 19 ? 61.25 : 40 + i }));
    const withEvidence = { ...result, phases: { ...result.phases, preRequest: { ...phase, sockets } } };

    // Act
    const compact = compactResult(withEvidence, 'k');

    // Assess
    const kept = [...compact.phases.preRequest!.sockets, ...compact.phases.keepAlive!.sockets];
    const omitted = (compact.phases.preRequest!.socketsOmitted ?? 0) + (compact.phases.keepAlive!.socketsOmitted ?? 0);
    expect(jsonBytes({ key: 'k', result: compact })).toBeLessThanOrEqual(RESULT_MAX_BYTES);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length + omitted).toBe(40);
    expect(kept.some((socket) => socket.outcome === 'held')).toBe(false);
    expect(compact.phases.preRequest!.sockets.some((socket) => socket.idleS === 61.25)).toBe(true);
  });
});

describe('a run bounded to the time it has', () => {
  it('probes no more backends per VPC than the probe rounds of the timeout take, and defers the rest', async () => {
    // Prepare: 200 backends (each on a port of its own: sampling keeps 2 per port), one probe invocation at a time
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', IDLE_CANARY_VPC_IDS: 'vpc-0a1', IDLE_CANARY_BUCKET: 'reports', IDLE_CANARY_MAX_CONCURRENCY: '1', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const targets = Array.from({ length: 200 }, (_, i) => ({ id: '10.0.0.1', port: 20000 + i }));
    const account = mockAccount({ alb: [{ name: 'big', idleTimeoutS: 60, targetGroups: [{ name: 'big-tg', port: 20000, targetType: 'ip', targets }] }], pageSize: 400 }, { everyClient: true });
    const sfn = mockClient(SFNClient).on(ListExecutionsCommand).resolves({ executions: [] });
    const { s3, objects } = inMemoryBucket();

    // Act
    const run = (await discover({ runId: 'big' }, lambdaContext(60_000))) as DistributedRun;

    // Assess
    process.env = saved;
    const perRun = backendsPerRun(1, targetsPerInvocation());
    expect(perRun).toBe(PROBE_WAVES * targetsPerInvocation());
    expect(run.plans).toEqual([{ vpcId: 'vpc-0a1', key: 'plans/big/vpc-0a1.json', items: perRun, deferred: 200 - perRun }]);
    expect(JSON.parse(objects.get('plans/big/vpc-0a1.json')!)).toHaveLength(perRun);
    [account.elb, account.elbv2, account.ec2, sfn, s3].forEach((mock) => mock.restore());
  });
});
