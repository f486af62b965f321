import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as discover } from '../../../lambda/handlers/discover';
import { earlierRunningExecution } from '../../../lambda/run/guard';
import type { SkippedRun } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { mockAccount } from '../discovery/fixtures';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:idle-canary-run';
const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:idle-canary-run:${name}`;
const running = (name: string, start: string) => ({ executionArn: arn(name), stateMachineArn: MACHINE, name, status: 'RUNNING' as const, startDate: new Date(start) });
const self = (name: string, start: string) => ({ stateMachineArn: MACHINE, executionArn: arn(name), startTime: start });

describe('one run at a time', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());
  afterAll(() => sfn.restore());

  it('lets a run go on when it is the only one running, or the earliest', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({ executions: [running('later', '2026-11-30T17:05:00Z'), running('first', '2026-11-30T17:00:00Z')] });

    // Act & Assess
    await expect(earlierRunningExecution(new SFNClient({}), self('first', '2026-11-30T17:00:00Z'))).resolves.toBeUndefined();
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toEqual({ stateMachineArn: MACHINE, statusFilter: 'RUNNING', maxResults: 100 });
  });

  it('names the earliest other run, across pages, and breaks a tie of start times by ARN so that one of two goes on', async () => {
    // Prepare: two pages; 'a' and 'b' started in the same millisecond
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [running('b', '2026-11-30T17:00:00Z')], nextToken: 'page-2' })
      .resolves({ executions: [running('a', '2026-11-30T17:00:00Z'), running('old', '2026-11-30T16:50:00Z')] });

    // Act
    const forB = await earlierRunningExecution(new SFNClient({}), self('b', '2026-11-30T17:00:00Z'));
    sfn.reset();
    sfn.on(ListExecutionsCommand).resolves({ executions: [running('a', '2026-11-30T17:00:00Z'), running('b', '2026-11-30T17:00:00Z')] });
    const forA = await earlierRunningExecution(new SFNClient({}), self('a', '2026-11-30T17:00:00Z'));
    const forBAlone = await earlierRunningExecution(new SFNClient({}), self('b', '2026-11-30T17:00:00Z'));

    // Assess
    expect(forB?.name).toBe('old');
    expect(forA).toBeUndefined();
    expect(forBAlone?.name).toBe('a');
  });

  it('ends a run that starts while another runs at once, with the reason, before any Describe call', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', IDLE_CANARY_VPC_IDS: 'vpc-0a1', IDLE_CANARY_BUCKET: 'reports', POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const account = mockAccount({ alb: [] }, { everyClient: true });
    const { s3 } = inMemoryBucket();
    sfn.on(ListExecutionsCommand).resolves({ executions: [running('deploy-1', '2026-11-30T17:00:00Z'), running('deploy-2', '2026-11-30T17:00:03Z')] });

    // Act
    const output = (await discover({ runId: 'deploy-2', source: 'AfterEcsDeployment', execution: self('deploy-2', '2026-11-30T17:00:03Z') }, lambdaContext(60_000))) as SkippedRun;

    // Assess
    process.env = saved;
    expect(output).toEqual({ mode: 'skipped', runId: 'deploy-2', reason: 'another run is in progress (deploy-1, started 2026-11-30T17:00:00.000Z): this run ends at once' });
    expect(account.elb.calls()).toHaveLength(0);
    expect(account.elbv2.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    [account.elb, account.elbv2, account.ec2, s3].forEach((mock) => mock.restore());
  });
});
