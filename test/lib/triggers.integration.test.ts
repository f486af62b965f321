import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { RunTriggers } from '../../lib/triggers';
import { STACK, logicalIdOf, synth } from './synth';

const { template, stack } = synth(STACK);

describe('RunTriggers', () => {
  it('starts a run every 15 minutes, and after ECS and CodeDeploy deployments', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: { Arn: { Ref: logicalIdOf(stack.canary.stateMachine) }, Input: '{"source":"schedule"}', RoleArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] } } });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.codedeploy'], 'detail-type': ['CodeDeploy Deployment State-change Notification'], detail: { state: ['SUCCESS'] } } });
  });

  it('sends the digest once a day', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)', Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(stack.canary.digestFunction), 'Arn'] } }) });
  });

  it('takes the monitor\'s defaults when used alone, and leaves out what is turned off', () => {
    // Prepare
    const alone = new Stack(new App(), 'Alone', { env: { account: '123456789012', region: 'eu-west-1' } });
    const stateMachine = sfn.StateMachine.fromStateMachineName(alone, 'Machine', 'run');
    const digest = lambda.Function.fromFunctionName(alone, 'Digest', 'digest');

    // Act
    new RunTriggers(alone, 'Defaults', { stateMachine, digest });
    new RunTriggers(alone, 'Tuned', { stateMachine, digest, schedule: 'rate(30 minutes)', runAfterCodeDeployDeployments: false });

    // Assess
    const triggers = Template.fromStack(alone);
    expect(Object.values(triggers.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties.ScheduleExpression).sort()).toEqual(['rate(1 day)', 'rate(1 day)', 'rate(15 minutes)', 'rate(30 minutes)']);
    expect(Object.values(triggers.findResources('AWS::Events::Rule')).map((r) => r.Properties.EventPattern.source[0]).sort()).toEqual(['aws.codedeploy', 'aws.ecs', 'aws.ecs']);
  });
});
