import { DISCOVERY_ACTIONS } from '../../lambda/discovery/permissions';
import { STACK, VPC, logicalIdOf, roleStatements, synth } from './synth';

const SECOND_VPC = { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788', subnetIds: ['subnet-0f1e2d3c4b5a69788'], backendPorts: [8080], cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true };
const { template, stack } = synth({ ...STACK, vpcs: [VPC, SECOND_VPC], maxConcurrency: 4 });

/** S3 answers a missing object with NoSuchKey only to a caller that may list the bucket. */
const LIST_REPORTS = { Sid: 'ListReports', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] } };

/** The state machine's name, from which discover's permission names its ARN. */
const STATE_MACHINE_NAME = String(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0].Properties.StateMachineName);

describe('RunFunctions', () => {
  it("gives discover each VPC's probe security group, so that it checks the backends admit it", () => {
    // Prepare
    const discover = template.findResources('AWS::Lambda::Function');
    const variables = Object.entries(discover).find(([id]) => id.includes('Discover'))![1].Properties.Environment.Variables;

    // Assess: vpc=group pairs, each group the probe function's own
    const joined = JSON.stringify(variables.IDLE_CANARY_PROBE_SECURITY_GROUPS);
    for (const vpc of [VPC.vpcId, SECOND_VPC.vpcId]) expect(joined).toContain(`${vpc}=`);
    expect(joined.match(/ProbeSecurityGroup\d+[A-F0-9]+/g)).toHaveLength(2);
  });

  it('lets discover make only the Describe calls it makes', () => {
    // Assess
    expect(roleStatements(template, stack.canary.discoverFunction.role)).toEqual([
      { Sid: 'DescribeLoadBalancers', Effect: 'Allow', Action: DISCOVERY_ACTIONS, Resource: '*' },
      { Sid: 'WritePlans', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] }, '/idle-canary/plans/*']] } },
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
    expect(roleStatements(template, stack.canary.publishFunction.role)).toEqual([
      { Sid: 'PutMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'IdleCanary' } } },
      { Sid: 'WriteReports', Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] }, '/idle-canary/*']] } },
      { Sid: 'ReadLatestRun', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] }, '/idle-canary/latest.json']] } },
      LIST_REPORTS,
      {
        Sid: 'ReadPlansAndResults',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: ['plans', 'results'].map((dir) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] }, `/idle-canary/${dir}/*`]] })),
      },
      { Sid: 'NotifyChanges', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: logicalIdOf(stack.canary.topic) } },
    ]);
  });

  it('lets the digest read only the latest run and publish only to its topic, ', () => {
    // Assess
    expect(roleStatements(template, stack.canary.digestFunction.role)).toEqual([
      { Sid: 'ReadLatestRun', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(stack.canary.bucket), 'Arn'] }, '/idle-canary/latest.json']] } },
      LIST_REPORTS,
      { Sid: 'SendDigest', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: logicalIdOf(stack.canary.topic) } },
    ]);
  });
});
