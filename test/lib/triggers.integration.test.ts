import { Match } from 'aws-cdk-lib/assertions';
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
});
