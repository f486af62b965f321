import { Match } from 'aws-cdk-lib/assertions';
import { TARGETS_PER_INVOCATION } from '../../lib/probe-settings';
import type { RunStateMachine } from '../../lib/run-state-machine';
import { STACK, VPC, roleStatements, stateMachineDefinition, synth } from './synth';

const SECOND_VPC = { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080], cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true };
const { template, stack } = synth({ ...STACK, vpcs: [VPC, SECOND_VPC], maxConcurrency: 4 });

describe('RunStateMachine', () => {
  it('discovers, then maps over the shards with bounded concurrency and routes each to its VPC probe, then publishes', () => {
    // Prepare
    const definition = stateMachineDefinition(template);
    const map = definition.States.ProbeShards as { MaxConcurrency: number; ItemsPath: string; ResultPath: string; ItemProcessor: { StartAt: string; States: Record<string, Record<string, unknown>> }; Next: string };
    const route = map.ItemProcessor.States.RouteToVpc as { Choices: Array<{ Variable?: string; StringEquals?: string; Not?: { Variable: string; IsPresent: boolean }; Next: string }>; Default: string };

    // Assess
    expect(definition.StartAt).toBe('DiscoverLoadBalancers');
    expect(definition.States.DiscoverLoadBalancers).toMatchObject({
      Next: 'InlineOrDistributed',
      Parameters: { 'runId.$': '$$.Execution.Name', execution: { 'stateMachineArn.$': '$$.StateMachine.Id', 'executionArn.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' }, 'input.$': '$$.Execution.Input' },
    });
    expect(definition.States.InlineOrDistributed).toMatchObject({
      Choices: [
        { Variable: '$.mode', StringEquals: 'skipped', Next: 'SkippedAnotherRunInProgress' },
        { Variable: '$.mode', StringEquals: 'distributed', Next: 'ProbeVpcs' },
      ],
      Default: 'ProbeShards',
    });
    expect(definition.States.SkippedAnotherRunInProgress).toMatchObject({ Type: 'Succeed' });
    expect(map).toMatchObject({ MaxConcurrency: 4, ItemsPath: '$.shards', ResultPath: '$.shardResults', Next: 'PublishResults' });
    expect(route.Choices.map((c) => (c.Not ? [`not ${c.Not.Variable}`, `present: ${c.Not.IsPresent}`, c.Next] : [c.Variable, c.StringEquals, c.Next]))).toEqual([
      // A shard outside any VPC first: comparing its missing vpcId would fail the run
      ['not $.vpcId', 'present: true', 'NoProbeOutsideVpc'],
      ['$.vpcId', VPC.vpcId, `Probe ${VPC.vpcId}`],
      ['$.vpcId', SECOND_VPC.vpcId, `Probe ${SECOND_VPC.vpcId}`],
    ]);
    expect(route.Default).toBe('NoProbeForVpc');
    expect(map.ItemProcessor.States.NoProbeOutsideVpc).toMatchObject({ Type: 'Pass', Parameters: { 'shardId.$': '$.shardId', error: { Error: 'NoProbeFunction' } } });
    const probe = map.ItemProcessor.States[`Probe ${VPC.vpcId}`];
    expect(probe.Retry).toEqual([
      {
        ErrorEquals: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
        IntervalSeconds: 2,
        MaxAttempts: 3,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
    ]);
    expect(probe.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ShardFailed' }]);
    expect(probe.TimeoutSeconds).toBe(960);
    expect(map.ItemProcessor.States.ShardFailed).toMatchObject({ Type: 'Pass', Parameters: { 'shardId.$': '$.shardId', 'vpcId.$': '$.vpcId', 'error.$': '$.error' } });
    expect(definition.States.PublishResults).toMatchObject({ Type: 'Task', End: true });
  });

  it('probes large runs with one Distributed Map per VPC: plan read from S3, batched by the socket budget, results written to S3', () => {
    // Prepare
    const definition = stateMachineDefinition(template);
    const parallel = definition.States.ProbeVpcs as { Type: string; ResultPath: string; Next: string; Branches: Array<{ StartAt: string; States: Record<string, Record<string, unknown>> }> };

    // Assess
    expect(parallel).toMatchObject({ Type: 'Parallel', ResultPath: '$.vpcResults', Next: 'PublishResults' });
    expect(parallel.Branches.map((b) => b.StartAt)).toEqual([`Distributed ${VPC.vpcId}`, `Distributed ${SECOND_VPC.vpcId}`]);
    const map = parallel.Branches[0].States[`Distributed ${VPC.vpcId}`];
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 4,
      ToleratedFailurePercentage: 100,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: `Probe batch ${VPC.vpcId}` },
      ItemReader: { ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Key.$': `States.Format('idle-canary/plans/{}/${VPC.vpcId}.json', $.runId)` } },
      ItemBatcher: { MaxItemsPerBatch: TARGETS_PER_INVOCATION, MaxInputBytesPerBatch: 240_000, BatchInput: { 'runId.$': '$.runId', vpcId: VPC.vpcId } },
      ResultWriter: { Parameters: { Prefix: 'idle-canary/results' } },
      ResultSelector: { vpcId: VPC.vpcId, 'manifest.$': '$.ResultWriterDetails' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `Map failed ${VPC.vpcId}` }],
    });
    expect(String((map.ItemReader as { Resource: string }).Resource)).toContain(':states:::s3:getObject');
    expect(String((map.ResultWriter as { Resource: string }).Resource)).toContain(':states:::s3:putObject');
  });

  it('traces the state machine and logs every state', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
  });

  it('lets discover list the runs of the machine it serves, by the ARN Step Functions gives the machine', () => {
    // Prepare
    const run = stack.canary.node.findChild('RunStateMachine') as RunStateMachine;
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:states:eu-west-1:123456789012:stateMachine:${machine.Properties.StateMachineName}`]] };

    // Assess
    expect(run.stateMachineName).toBe(machine.Properties.StateMachineName);
    expect(stack.resolve(run.stateMachineArn)).toEqual(arn);
    expect(roleStatements(template, stack.canary.discoverFunction.role)).toContainEqual({ Sid: 'SeeRunningRuns', Effect: 'Allow', Action: 'states:ListExecutions', Resource: arn });
  });
});
