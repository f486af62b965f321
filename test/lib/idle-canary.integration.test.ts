import { Match } from 'aws-cdk-lib/assertions';
import { App, type Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { DISCOVERY_ACTIONS } from '../../lib/run-functions';
import { STACK, VPC, stateMachineDefinition, synth } from './synth';

const SECOND_VPC = { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080], cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true };
const { template, assembly } = synth({ ...STACK, vpcs: [VPC, SECOND_VPC], maxConcurrency: 4 });

/** The inline policy statements of the role of the function whose logical id starts with `prefix`. */
function statementsOf(prefix: string): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const policy = Object.entries(policies).find(([id]) => id.startsWith(`IdleCanary${prefix}ServiceRoleDefaultPolicy`));
  return policy ? (policy[1].Properties.PolicyDocument.Statement as unknown[]) : [];
}

/** S3 answers a missing object with NoSuchKey only to a caller that may list the bucket. */
const LIST_REPORTS = { Sid: 'ListReports', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^IdleCanaryReports/), 'Arn'] } };

/** The state machine's name, from which discover's permission names its ARN. */
const STATE_MACHINE_NAME = String(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.StateMachineName);

describe('the IdleCanary stack', () => {
  it('lets discover make only the Describe calls it makes', () => {
    // Assess
    expect(statementsOf('Discover')).toEqual([
      { Sid: 'DescribeLoadBalancers', Effect: 'Allow', Action: DISCOVERY_ACTIONS, Resource: '*' },
      { Sid: 'WritePlans', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IdleCanaryReports/), 'Arn'] }, '/idle-canary/plans/*']] } },
      {
        Sid: 'SeeRunningRuns',
        Effect: 'Allow',
        Action: 'states:ListExecutions',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:states:eu-west-1:123456789012:stateMachine:${STATE_MACHINE_NAME}`]] },
      },
    ]);
  });

  it('lets publish put metrics only in its namespace, write only under its prefix, and publish only to its topic', () => {
    // Assess
    expect(statementsOf('Publish')).toEqual([
      { Sid: 'PutMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'IdleCanary' } } },
      { Sid: 'WriteReports', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IdleCanaryReports/), 'Arn'] }, '/idle-canary/*']] } },
      { Sid: 'ReadLatestRun', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IdleCanaryReports/), 'Arn'] }, '/idle-canary/latest.json']] } },
      LIST_REPORTS,
      {
        Sid: 'ReadPlansAndResults',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: ['plans', 'results'].map((dir) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IdleCanaryReports/), 'Arn'] }, `/idle-canary/${dir}/*`]] })),
      },
      { Sid: 'NotifyChanges', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^IdleCanaryAlarms/) } },
    ]);
  });

  it('lets the digest read only the latest run and publish only to its topic, once a day', () => {
    // Assess
    expect(statementsOf('Digest')).toEqual([
      { Sid: 'ReadLatestRun', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^IdleCanaryReports/), 'Arn'] }, '/idle-canary/latest.json']] } },
      LIST_REPORTS,
      { Sid: 'SendDigest', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^IdleCanaryAlarms/) } },
    ]);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)', Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdleCanaryDigest'), 'Arn'] } }) });
  });

  it('gives the probe functions no permission beyond logs and their network interfaces', () => {
    // Assess
    expect(statementsOf('Probe0')).toEqual([]);
    expect(statementsOf('Probe1')).toEqual([]);
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('IdleCanaryProbe'));
    for (const [, role] of roles) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/AWSLambdaBasicExecutionRole.*AWSLambdaVPCAccessExecutionRole/);
    }
  });

  it('puts one probe function in each VPC, limited to the backend ports', () => {
    // Assess
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: VPC.subnetIds }) }, 1);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: SECOND_VPC.subnetIds }) }, 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: VPC.vpcId,
      SecurityGroupEgress: [
        { CidrIp: '10.0.0.0/16', FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: 'to backends' },
        { CidrIp: '10.0.0.0/16', FromPort: 30000, ToPort: 32767, IpProtocol: 'tcp', Description: 'to backends' },
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: SECOND_VPC.vpcId,
      SecurityGroupEgress: [{ DestinationSecurityGroupId: 'sg-0a1b2c3d4e5f60718', FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp', Description: 'to backends' }],
    });
    // A separate egress resource would leave the group with no egress of its own: EC2's allow-all.
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0a1b2c3d4e5f60718', FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp' });
  });

  it('runs on a current Node.js runtime, bundled as CommonJS for arm64', () => {
    // Assess
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'] }, 5);
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, VpcConfig: Match.anyValue() });
  });

  it('discovers, then maps over the shards with bounded concurrency and routes each to its VPC probe, then publishes', () => {
    // Prepare
    const definition = stateMachineDefinition(template);
    const map = definition.States.ProbeShards as { MaxConcurrency: number; ItemsPath: string; ResultPath: string; ItemProcessor: { StartAt: string; States: Record<string, Record<string, unknown>> }; Next: string };
    const route = map.ItemProcessor.States.RouteToVpc as { Choices: Array<{ Variable: string; StringEquals: string; Next: string }>; Default: string };

    // Assess
    expect(definition.StartAt).toBe('DiscoverLoadBalancers');
    expect(definition.States.DiscoverLoadBalancers).toMatchObject({
      Next: 'InlineOrDistributed',
      Parameters: { 'runId.$': '$$.Execution.Name', execution: { 'stateMachineArn.$': '$$.StateMachine.Id', 'executionArn.$': '$$.Execution.Id', 'startTime.$': '$$.Execution.StartTime' } },
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
    expect(route.Choices.map((c) => [c.Variable, c.StringEquals, c.Next])).toEqual([
      ['$.vpcId', VPC.vpcId, `Probe ${VPC.vpcId}`],
      ['$.vpcId', SECOND_VPC.vpcId, `Probe ${SECOND_VPC.vpcId}`],
    ]);
    expect(route.Default).toBe('NoProbeForVpc');
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
      ItemBatcher: { MaxItemsPerBatch: 56, MaxInputBytesPerBatch: 240_000, BatchInput: { 'runId.$': '$.runId', vpcId: VPC.vpcId } },
      ResultWriter: { Parameters: { Prefix: 'idle-canary/results' } },
      ResultSelector: { vpcId: VPC.vpcId, 'manifest.$': '$.ResultWriterDetails' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `Map failed ${VPC.vpcId}` }],
    });
    expect(String((map.ItemReader as { Resource: string }).Resource)).toContain(':states:::s3:getObject');
    expect(String((map.ResultWriter as { Resource: string }).Resource)).toContain(':states:::s3:putObject');
  });

  it('starts a run every 15 minutes, and after ECS and CodeDeploy deployments', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: { Arn: { Ref: Match.stringLikeRegexp('^IdleCanaryRun') }, Input: '{"source":"schedule"}', RoleArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] } } });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.codedeploy'], 'detail-type': ['CodeDeploy Deployment State-change Notification'], detail: { state: ['SUCCESS'] } } });
  });

  it('alarms on each failing load balancer as its own contributor, on the heartbeat and on probe errors, to the topic for alarm and OK', () => {
    // Prepare
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byName = (text: string) => alarms.find((a) => JSON.stringify(a.AlarmDescription).includes(text))!;

    // Assess
    expect(byName('drop idle connections')).toMatchObject({
      Metrics: [{ Id: 'expr_1', Expression: 'SELECT MAX(BackendsFailing) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY MAX() DESC LIMIT 500', Period: 900, ReturnData: true, Label: 'BackendsFailing' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(byName('No idle-canary run completed')).toMatchObject({ Namespace: 'IdleCanary', MetricName: 'RunCompleted', Statistic: 'Sum', Period: 900, Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'breaching' });
    expect(byName('could not be probed')).toMatchObject({
      Metrics: [{ Expression: 'SELECT SUM(ProbeErrors) FROM SCHEMA("IdleCanary", LoadBalancer)', Period: 900 }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
    });
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^IdleCanaryAlarms/) }]);
      expect(alarm.OKActions).toEqual([{ Ref: expect.stringMatching(/^IdleCanaryAlarms/) }]);
    }
  });

  it('keeps reports encrypted, private, TLS-only and expiring', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('keeps logs for a month and traces the state machine', () => {
    // Assess
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
  });

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    // Assess: synth itself fails on a finding; the report lists none
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.filter((p: { summary: { status: string } }) => p.summary.status !== 'success')).toEqual([]);
  });

  it('runs cdk-nag on every synth: an unacknowledged finding fails it', () => {
    // Prepare: the same app with one bucket nobody acknowledged
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));
    new Bucket(app.node.children[0] as Stack, 'Unreviewed');

    // Act & Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|Validation failed/);
  });

  it('uses an existing topic when one is given, creating none', () => {
    // Act
    const { template: withTopic } = synth({ ...STACK, alarmEmails: undefined, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });

    // Assess
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(withTopic.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
  });
});
