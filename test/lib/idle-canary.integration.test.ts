import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { parseConfig } from '../../lib/config';
import { IdleCanary } from '../../lib/idle-canary';
import type { IConstruct } from 'constructs';
import { STACK, VPC, logicalIdOf, synth, importedVpcs } from './synth';

const { assembly, stack, template } = synth({ ...STACK, accessLogBuckets: [{ bucketName: 'corp-elb-logs' }] });

/** What 0.1.0 synthesized for this configuration, where everything was built in the construct's own scope. */
const RELEASED = {
  logicalIds: {
    'AWS::S3::Bucket': 'IdleCanaryReports55A731E3',
    'AWS::S3::BucketPolicy': 'IdleCanaryReportsPolicy7A8D08AD',
    'AWS::SNS::Topic': 'IdleCanaryAlarmsAB2C47AC',
    'AWS::SNS::TopicPolicy': 'IdleCanaryAlarmsPolicyA3EEDAF5',
    'AWS::SNS::Subscription': 'IdleCanaryAlarmsoncallexamplecomBB1DDF64',
    'Custom::S3BucketNotifications': 'IdleCanaryAccessLogBucket0Notifications5D93E0F5',
  },
  stateMachineName: 'IdleCanary123456789012euwest1-IdleCanary-451236D9-run',
  dashboardName: 'IdleCanary123456789012euwest1-IdleCanary-451236D9',
};

describe('IdleCanary', () => {
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

  it('keeps the logical ids of 0.1.0 for what holds data or people: the reports bucket, the topic and its subscriptions, the log buckets\' notifications', () => {
    // Act
    const ids = Object.fromEntries(Object.keys(RELEASED.logicalIds).map((type) => [type, Object.keys(template.findResources(type))]));

    // Assess
    expect(ids).toEqual(Object.fromEntries(Object.entries(RELEASED.logicalIds).map(([type, id]) => [type, [id]])));
    expect(logicalIdOf(stack.canary.bucket)).toBe(RELEASED.logicalIds['AWS::S3::Bucket']);
    expect(logicalIdOf(stack.canary.topic)).toBe(RELEASED.logicalIds['AWS::SNS::Topic']);
  });

  it('names the state machine and the dashboard after their new paths, so that an upgrade from 0.1.0 creates them beside the old ones without a clash', () => {
    // Act
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));

    // Assess
    expect(machine.Properties.StateMachineName).toMatch(/^IdleCanary123456789012euwest1-IdleCanary-RunStateMachine-[0-9A-F]{8}-run$/);
    expect(machine.Properties.StateMachineName).not.toBe(RELEASED.stateMachineName);
    expect(dashboard.Properties.DashboardName).toMatch(/^IdleCanary123456789012euwest1-IdleCanary-CanaryDashboard-[0-9A-F]{8}$/);
    expect(dashboard.Properties.DashboardName).not.toBe(RELEASED.dashboardName);
  });

  it('outputs the reports bucket, the state machine, the dashboard\'s console page, the topic and the probe security group of each VPC', () => {
    // Prepare
    const { template: twoVpcs, stack: twoVpcStack } = synth({ ...STACK, vpcs: [VPC, { ...VPC, vpcId: 'vpc-0f1e2d3c4b5a69788' }] });
    const [, second] = twoVpcStack.canary.node.findChild('ProbeFunctions').node.children.filter((c) => c.node.id.startsWith('ProbeSecurityGroup'));

    // Act
    const outputs = Object.entries(twoVpcs.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>);
    const byId = (id: string) => outputs.find(([key]) => key.startsWith(`IdleCanary${id}`))?.[1];

    // Assess
    expect(outputs).toHaveLength(6);
    expect(byId('ReportsBucketName')?.Value).toEqual({ Ref: logicalIdOf(twoVpcStack.canary.bucket) });
    expect(byId('StateMachineArn')?.Value).toEqual({ Ref: logicalIdOf(twoVpcStack.canary.stateMachine) });
    expect(byId('AlarmTopicArn')?.Value).toEqual({ Ref: logicalIdOf(twoVpcStack.canary.topic) });
    expect(byId('DashboardUrl')?.Value).toEqual({
      'Fn::Join': ['', ['https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/', { Ref: logicalIdOf(twoVpcStack.canary.dashboard.dashboard) }]],
    });
    expect(byId('ProbeSecurityGroupId1')).toEqual({ Value: { 'Fn::GetAtt': [logicalIdOf(second), 'GroupId'] }, Description: 'idle-canary: the probe security group in vpc-0f1e2d3c4b5a69788, which the backends must admit on their ports' });
    expect(byId('ProbeSecurityGroupId0')?.Description).toContain('vpc-0a1b2c3d4e5f60718');
  });

  it('gives publish and digest what their links need: the state machine\'s ARN (from its name, no cycle) and the dashboard\'s name', () => {
    // Act
    const environmentOf = (fn: IConstruct) => template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;

    // Assess
    const publish = environmentOf(stack.canary.publishFunction);
    expect(JSON.stringify(publish.IDLE_CANARY_STATE_MACHINE_ARN)).toMatch(/":states:eu-west-1:123456789012:stateMachine:IdleCanary123456789012euwest1-IdleCanary-RunStateMachine-[0-9A-F]{8}-run"/);
    expect(publish.IDLE_CANARY_DASHBOARD_NAME).toEqual({ Ref: logicalIdOf(stack.canary.dashboard.dashboard) });
    expect(environmentOf(stack.canary.digestFunction)).toMatchObject({ IDLE_CANARY_DASHBOARD_NAME: { Ref: logicalIdOf(stack.canary.dashboard.dashboard) } });
  });

  it('passes the selection (load balancer names, tags) to discover, and nothing when none is given', () => {
    // Act
    const { template: narrowed, stack: narrowedStack } = synth({ ...STACK, loadBalancerNames: ['k8s-prod-*', 'web'], tags: ['team=payments', 'idle-canary'] });
    const environmentOf = (t: typeof template, fn: IConstruct) => t.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;

    // Assess
    expect(environmentOf(narrowed, narrowedStack.canary.discoverFunction)).toMatchObject({ IDLE_CANARY_LOAD_BALANCERS: 'k8s-prod-*,web', IDLE_CANARY_TAGS: 'team=payments,idle-canary' });
    expect(Object.keys(environmentOf(template, stack.canary.discoverFunction))).not.toEqual(expect.arrayContaining(['IDLE_CANARY_LOAD_BALANCERS']));
    expect(Object.keys(environmentOf(template, stack.canary.discoverFunction))).not.toEqual(expect.arrayContaining(['IDLE_CANARY_TAGS']));
  });

  it('builds each part as a construct of its own, under the monitor', () => {
    // Act
    const children = stack.canary.node.children.map((child) => `${child.node.id}:${child.constructor.name}`);

    // Assess
    expect(children).toEqual(
      expect.arrayContaining([
        'RunFunctions:RunFunctions',
        'AccessLogCounter:AccessLogCounter',
        'ProbeFunctions:ProbeFunctions',
        'RunStateMachine:RunStateMachine',
        'RunTriggers:RunTriggers',
        'CanaryAlarms:CanaryAlarms',
        'CanaryDashboard:CanaryDashboard',
      ]),
    );
  });

  it('gives the same template for a VPC, subnets and security groups held as CDK objects as for their ids in cdk.json', () => {
    // Prepare: cdk.json's ids; the same VPC as an app holds it (private subnets selected by default), the margin as a Duration
    const SECURITY_GROUP = 'sg-0a1b2c3d4e5f60718';
    const config = { ...STACK, vpcs: [{ ...VPC, cidr: undefined, backendSecurityGroupIds: [SECURITY_GROUP], addIngress: true }], marginS: 2.5 };
    const app = new App();
    const own = new Stack(app, 'IdleCanary-123456789012-eu-west-1', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(own, 'AppVpc', { vpcId: VPC.vpcId, availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: VPC.subnetIds });
    const backends = ec2.SecurityGroup.fromSecurityGroupId(own, 'Backends', SECURITY_GROUP);

    // Act
    new IdleCanary(own, 'IdleCanary', { vpcs: [{ vpc, backendPorts: VPC.backendPorts, backendSecurityGroups: [backends], addIngress: true }], alarmEmails: STACK.alarmEmails, margin: Duration.millis(2500) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const fromObjects = Template.fromStack(own).toJSON();
    const fromIds = synth(config).template.toJSON();

    // Assess
    expect(fromObjects).toEqual(fromIds);
    expect(Object.values(fromIds.Resources as Record<string, { Type: string }>).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress')).toHaveLength(2);
  });

  it('refuses a VPC whose id is not known at synth, in one line', () => {
    // Prepare
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));
    const scope = app.node.children[0] as Stack;
    const created = new ec2.Vpc(scope, 'NewVpc');

    // Act & Assess
    expect(() => new IdleCanary(scope, 'Second', { vpcs: [{ vpc: created, backendPorts: [80] }] })).toThrow(
      new Error('vpcs[0].vpc: expected a VPC whose id is known at synth (ec2.Vpc.fromLookup or ec2.Vpc.fromVpcAttributes), got a VPC id that is a token'),
    );
  });

  it('refuses, as the configuration does, a number prop out of its range', () => {
    // Prepare
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));

    // Act & Assess
    expect(() => new IdleCanary(app.node.children[0], 'Second', { vpcs: importedVpcs(app.node.children[0]), maxConcurrency: 100 })).toThrow('maxConcurrency: expected a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once), got 100');
    expect(() => parseConfig({ stacks: [{ ...STACK, maxConcurrency: 100 }] })).toThrow('idle-canary.stacks[0].maxConcurrency: expected a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once), got 100');
  });

  it.each<[string, { tags?: string[]; loadBalancerNames?: string[]; alarmEmails?: string[]; withTopic?: boolean }, string]>([
    ['tags[0]', { tags: ['team=a,b'] }, 'expected a tag key, or key=value, without commas, got "team=a,b"'],
    ['loadBalancerNames[0]', { loadBalancerNames: ['web_1'] }, 'expected a load balancer name, or a pattern with * (letters, digits, - and *; at most 32), got "web_1"'],
    ['alarmEmails', { alarmEmails: ['oncall@example.com'], withTopic: true }, 'expected no emails with a topic of your own (subscribe them to that topic), got ["oncall@example.com"]'],
  ])('refuses %s in the same words as the configuration does', (key, { withTopic, ...props }, message) => {
    // Prepare
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));
    const scope = app.node.children[0] as Stack;
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:oncall';

    // Act & Assess: one line each, the key path the only difference
    expect(() => new IdleCanary(scope, 'Second', { vpcs: importedVpcs(scope), ...props, ...(withTopic ? { topic: Topic.fromTopicArn(scope, 'Oncall', topicArn) } : {}) })).toThrow(new Error(`${key}: ${message}`));
    expect(() => parseConfig({ stacks: [{ ...STACK, ...props, ...(withTopic ? { topicArn } : {}) }] })).toThrow(new Error(`idle-canary.stacks[0].${key}: ${message}`));
  });
});
