/**
 * The deployment gate's template: its hook and conclude functions, their roles' exact
 * statements, the gate state machine, cdk-nag, and a sample ECS blue/green service wired to it.
 */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { OnInconclusive } from '../../lambda/gate/types';
import * as iam from 'aws-cdk-lib/aws-iam';
import { logicalIdOf, roleStatements, stateMachineDefinition } from './synth';
import { gateStack, sampleServiceStack } from './gate-stacks';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- asl-validator has no types
const aslValidator = require('asl-validator') as (definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (separator?: string) => string };

const PARTITION = { Ref: 'AWS::Partition' };
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

describe('the deployment gate', () => {
  it('synthesizes alone with no cdk-nag finding, with and without the long probe', () => {
    // Act
    const plain = gateStack();
    const long = gateStack({ longTimeouts: true, onInconclusive: 'continue' });

    // Assess
    expect(plain.findings).toEqual([]);
    expect(long.findings).toEqual([]);
  });

  it('holds a gate run definition that asl-validator accepts, with and without the long probe', () => {
    // Act
    const results = [gateStack(), gateStack({ longTimeouts: true })].map(({ template }) => aslValidator(stateMachineDefinition(template), { checkPaths: true, checkArn: false }));

    // Assess: references are placeholders here, so only paths are checked
    for (const result of results) expect(result.isValid ? '' : result.errorsText('\n')).toBe('');
  });

  it('refuses a margin out of range and an unknown onInconclusive at synth, in one line naming the value', () => {
    // Act & Assess: as the monitor's props are, not at the first hook (which would fail every deployment)
    expect(() => gateStack({ margin: Duration.minutes(11) })).toThrow(/^margin: expected a number of seconds from 0 to 600, got 11 minutes$/);
    expect(() => gateStack({ onInconclusive: 'maybe' as OnInconclusive })).toThrow(/^onInconclusive: expected 'fail' or 'continue', got "maybe"$/);
  });

  it('reports a wildcard nobody acknowledged on the hook, so a clean synth means something', () => {
    // Act
    const { findings } = gateStack({}, (gate) => gate.hookFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::someone-elses-bucket/*'] })));

    // Assess
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::someone-elses-bucket/*]']);
  });

  it('lets the hook describe revisions, deployment targets and target groups, and start and read its own runs: nothing else', () => {
    // Prepare
    const { gate, template } = gateStack();
    const machine = logicalIdOf(gate.stateMachine);

    // Act
    const statements = roleStatements(template, gate.hookFunction.role);

    // Assess
    expect(statements).toEqual([
      { Sid: 'DescribeServiceRevisions', Action: 'ecs:DescribeServiceRevisions', Effect: 'Allow', Resource: join('arn:', PARTITION, ':ecs:eu-west-1:123456789012:service-revision/*') },
      {
        Sid: 'ReadCodeDeployTargets',
        Action: ['codedeploy:GetDeploymentTarget', 'codedeploy:ListDeploymentTargets'],
        Effect: 'Allow',
        Resource: join('arn:', PARTITION, ':codedeploy:eu-west-1:123456789012:deploymentgroup:*'),
      },
      {
        Sid: 'ReadTargetGroups',
        Action: ['elasticloadbalancing:DescribeLoadBalancerAttributes', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        Effect: 'Allow',
        Resource: '*',
      },
      { Sid: 'StartGateRun', Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine } },
      { Sid: 'ReadGateRuns', Action: 'states:DescribeExecution', Effect: 'Allow', Resource: join('arn:', PARTITION, ':states:eu-west-1:123456789012:execution:', { 'Fn::GetAtt': [machine, 'Name'] }, ':*') },
    ]);
  });

  it('lets conclude write its reports, answer CodeDeploy and tell the topic: nothing else', () => {
    // Prepare
    const { gate, template, topic } = gateStack();
    const bucket = logicalIdOf(gate.bucket);

    // Act
    const statements = roleStatements(template, gate.concludeFunction.role);

    // Assess
    expect(statements).toEqual([
      { Sid: 'WriteGateReports', Action: 's3:PutObject', Effect: 'Allow', Resource: join({ 'Fn::GetAtt': [bucket, 'Arn'] }, '/idle-canary/gates/*') },
      {
        Sid: 'AnswerCodeDeploy',
        Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
        Effect: 'Allow',
        Resource: join('arn:', PARTITION, ':codedeploy:eu-west-1:123456789012:deploymentgroup:*'),
      },
      { Sid: 'NotifyTopic', Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: logicalIdOf(topic) } },
    ]);
  });

  it('with the long probe, lets the hook write the long plan and conclude read the long result, and nothing more', () => {
    // Prepare
    const { gate, template } = gateStack({ longTimeouts: true });
    const bucketArn = { 'Fn::GetAtt': [logicalIdOf(gate.bucket), 'Arn'] };

    // Act
    const hook = roleStatements(template, gate.hookFunction.role);
    const conclude = roleStatements(template, gate.concludeFunction.role);

    // Assess
    expect(hook.slice(5)).toEqual([{ Sid: 'WriteLongProbePlan', Action: 's3:PutObject', Effect: 'Allow', Resource: join(bucketArn, '/idle-canary/plans/*/long/*') }]);
    expect(conclude.slice(3)).toEqual([{ Sid: 'ReadLongProbeResult', Action: 's3:GetObject', Effect: 'Allow', Resource: join(bucketArn, '/idle-canary/results/*/long/*') }]);
    expect(Object.keys(stateMachineDefinition(template).States)).toEqual(expect.arrayContaining(['ProbeOrConclude', 'ProbeReplacementTasks', 'LongProbeReplacementTasks', 'ConcludeGate']));
  });

  it('tells its functions the run, the reports and the setting; the probe function sits in the VPC with no AWS permission', () => {
    // Prepare
    const { gate, template } = gateStack({ onInconclusive: 'continue' });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^idle-canary gate: ECS lifecycle'),
      Environment: { Variables: Match.objectLike({ IDLE_CANARY_GATE_STATE_MACHINE_ARN: { Ref: logicalIdOf(gate.stateMachine) }, IDLE_CANARY_GATE_ON_INCONCLUSIVE: 'continue', IDLE_CANARY_REPORT_PREFIX: 'idle-canary/', IDLE_CANARY_PROBE_TIMEOUT_S: '900' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^idle-canary gate: judges'),
      Environment: { Variables: Match.objectLike({ IDLE_CANARY_GATE_ON_INCONCLUSIVE: 'continue', IDLE_CANARY_MARGIN_S: '1' }) },
    });
    expect(roleStatements(template, gate.probeFunction.role)).toEqual([]);
    expect(Object.values(template.findOutputs('*')).map((o) => o.Description)).toEqual(expect.arrayContaining([expect.stringMatching(/^idle-canary gate: the hook function/), expect.stringMatching(/^idle-canary gate: the gate runs/)]));
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^idle-canary probe for vpc-'), VpcConfig: Match.anyValue() });
  });

  it('wires into a sample ECS blue/green service as its lifecycle hook, and the sample synthesizes', () => {
    // Act
    const { gate, template } = sampleServiceStack();

    // Assess
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'BLUE_GREEN',
        LifecycleHooks: [{ HookTargetArn: { 'Fn::GetAtt': [logicalIdOf(gate.hookFunction), 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], RoleArn: Match.anyValue() }],
      }),
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ AlternateTargetGroupArn: Match.anyValue() }) })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, ToPort: 8080, Description: 'from idle-canary probe' });
  });
});
