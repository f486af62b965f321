import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildApp } from '../../lib/app';
import type { IdleCanaryStack } from '../../lib/idle-canary-stack';
import { ALL_OBJECTS, CHILD_EXECUTIONS, FUNCTION_VERSIONS, objectsOfBuckets, objectsUnder } from '../../lib/nag';
import { nagFindings } from '../support/nag-findings';
import { STACK } from './synth';

/** Synthesizes the app after `change`, and returns the distinct cdk-nag findings it reported (none when it passed). */
function findingsAfter(change: (stack: IdleCanaryStack) => void): string[] {
  const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));
  change(app.node.children[0] as IdleCanaryStack);
  return nagFindings(app);
}

describe('cdk-nag acknowledgements', () => {
  it('match a wildcard by what it is for, never by a logical id', () => {
    // Assess: the findings as cdk-nag writes them, whatever logical ids CDK derives
    expect(objectsUnder('idle-canary/plans/*').test('Resource::<IdleCanaryReportsC0FFEE12.Arn>/idle-canary/plans/*')).toBe(true);
    expect(objectsUnder('idle-canary/plans/*').test('Resource::<IdleCanaryReportsC0FFEE12.Arn>/idle-canary/*')).toBe(false);
    expect(objectsUnder('idle-canary/*').test('Resource::<IdleCanaryReportsC0FFEE12.Arn>/idle-canary/plans/*')).toBe(false);
    expect(FUNCTION_VERSIONS.test('Resource::<IdleCanaryProbe0ABCDEF.Arn>:*')).toBe(true);
    expect(FUNCTION_VERSIONS.test('Resource::*')).toBe(false);
    expect(ALL_OBJECTS.test('Resource::arn:<AWS::Partition>:s3:::<IdleCanaryReportsC0FFEE12>/*')).toBe(true);
    expect(ALL_OBJECTS.test('Resource::arn:aws:s3:::someone-elses-bucket/*')).toBe(false);
    expect(CHILD_EXECUTIONS.test('Resource::arn:<AWS::Partition>:states:eu-west-1:123456789012:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"IdleCanaryRun4F936C80"}]}]}/*:*')).toBe(true);
    expect(objectsOfBuckets(['corp-elb-logs']).test('Resource::arn:<AWS::Partition>:s3:::corp-elb-logs/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/*')).toBe(true);
    expect(objectsOfBuckets(['corp-elb-logs']).test('Resource::arn:<AWS::Partition>:s3:::corp-elb-logs-2/AWSLogs/*')).toBe(false);
  });

  it('leave a wildcard nobody acknowledged failing the synth, even on a construct with acknowledged ones', () => {
    // Act: the state machine's role, whose function, bucket and execution wildcards are acknowledged, gets one more
    const findings = findingsAfter((stack) => stack.canary.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::someone-elses-bucket/*'] })));

    // Assess: that one, and only that one, is reported
    expect(findings).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::someone-elses-bucket/*]']);
  });

  it('hold only on the construct that causes the finding: the same kind of wildcard on another construct fails the synth', () => {
    // Act: discover gets the function-versions wildcard that the state machine and the digest schedule acknowledge on themselves
    const findings = findingsAfter((stack) => stack.canary.discoverFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [`${stack.canary.publishFunction.functionArn}:*`] })));

    // Assess
    expect(findings).toEqual([expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<IdleCanaryRunFunctionsPublish[0-9A-F]+\.Arn>:\*\]$/)]);
  });
});
