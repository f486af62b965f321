import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as discover } from '../../../lambda/handlers/discover';
import { LONG_RUN_TIMEOUT_MINUTES } from '../../../lambda/run/limits';
import { targetsPerInvocation } from '../../../lambda/run/shards';
import type { InlineRun, Shard } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { mockAccount } from '../discovery/fixtures';

describe('discover with long timeouts', () => {
  const saved = { ...process.env };
  afterEach(() => (process.env = saved));

  it('gives each VPC one long probe of at most one invocation\'s targets (900 sockets / 19 per target = 47), defers the rest, and times it from the run\'s start', async () => {
    // Prepare: 60 backends behind a 3,600 s ALB, 2 behind a 60 s one, in a run started a minute ago
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      IDLE_CANARY_VPC_IDS: 'vpc-0a1',
      IDLE_CANARY_BUCKET: 'reports',
      IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
      IDLE_CANARY_LONG_TIMEOUTS: 'on',
      IDLE_CANARY_PROBE_TIMEOUT_S: '900',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    const targets = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ id: '10.0.1.7', port: from + i }));
    mockAccount(
      {
        alb: [
          { name: 'websockets', idleTimeoutS: 3600, targetGroups: [{ name: 'ws', port: 30000, targetType: 'ip' as const, targets: targets(60, 30000) }] },
          { name: 'api', idleTimeoutS: 60, targetGroups: [{ name: 'api', port: 8080, targetType: 'ip' as const, targets: targets(2, 8080) }] },
        ],
      },
      { everyClient: true },
    );
    mockClient(SFNClient).on(ListExecutionsCommand).resolves({ executions: [] });
    const { objects } = inMemoryBucket();
    const startTime = new Date(Date.now() - 60_000).toISOString();

    // Act
    const run = (await discover({ runId: 'r1', execution: { stateMachineArn: 'arn:sm', executionArn: 'arn:sm:r1', startTime } }, lambdaContext(60_000))) as InlineRun;
    const shard = JSON.parse(objects.get('idle-canary/plans/r1/long/vpc-0a1.json')!) as Shard;

    // Assess: the 60 s backends go to the probe function, one invocation's worth of the 3,600 s ones to the task
    expect(run.shards.flatMap((s) => s.items.map((i) => i.job.loadBalancerIdleTimeoutS))).toEqual([60, 60]);
    expect(run.long).toMatchObject([{ vpcId: 'vpc-0a1', planKey: 'idle-canary/plans/r1/long/vpc-0a1.json', resultKey: 'idle-canary/results/r1/long/vpc-0a1.json', items: targetsPerInvocation(), deferred: 60 - targetsPerInvocation() }]);
    // A lazy 3,600 s backend could need 8,150 s: the budget is what the 89-minute run has left after
    // the minute gone, 5 minutes for publish and 4 for the task's start and stop (less the test's own seconds).
    const [{ budgetS, timeoutS }] = run.long!;
    expect(budgetS).toBeLessThanOrEqual(LONG_RUN_TIMEOUT_MINUTES * 60 - 60 - 300 - 240);
    expect(budgetS).toBeGreaterThan(LONG_RUN_TIMEOUT_MINUTES * 60 - 60 - 300 - 240 - 30);
    expect(timeoutS).toBe(budgetS + 240);
    expect(shard).toMatchObject({ runId: 'r1', vpcId: 'vpc-0a1' });
    expect(shard.items).toHaveLength(targetsPerInvocation());
    expect(new Set(shard.items.map((i) => i.job.loadBalancerIdleTimeoutS))).toEqual(new Set([3600]));
  });

  it('sends every backend to the probe functions when the stack has no long path, as before', async () => {
    // Prepare
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', IDLE_CANARY_VPC_IDS: 'vpc-0a1', IDLE_CANARY_BUCKET: 'reports', IDLE_CANARY_REPORT_PREFIX: 'idle-canary/', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    mockAccount({ alb: [{ name: 'websockets', idleTimeoutS: 3600, targetGroups: [{ name: 'ws', port: 30000, targetType: 'ip' as const, targets: [{ id: '10.0.1.7' }] }] }] }, { everyClient: true });
    inMemoryBucket();

    // Act
    const run = (await discover({ runId: 'r2' }, lambdaContext(60_000))) as InlineRun;

    // Assess
    expect(run.long).toBeUndefined();
    expect(run.shards.flatMap((s) => s.items.map((i) => i.job.loadBalancerIdleTimeoutS))).toEqual([3600]);
  });
});
