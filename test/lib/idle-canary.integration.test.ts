import { App, type Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { parseConfig } from '../../lib/config';
import { IdleCanary } from '../../lib/idle-canary';
import { STACK, VPC, logicalIdOf, synth } from './synth';

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

  it('refuses, as the configuration does, a number prop out of its range', () => {
    // Prepare
    const app = buildApp(new App({ context: { 'idle-canary': { stacks: [STACK] } } }));

    // Act & Assess
    expect(() => new IdleCanary(app.node.children[0], 'Second', { vpcs: [VPC], maxConcurrency: 100 })).toThrow('maxConcurrency: expected a whole number from 1 to 40, got 100');
    expect(() => parseConfig({ stacks: [{ ...STACK, maxConcurrency: 100 }] })).toThrow('idle-canary.stacks[0].maxConcurrency: expected a whole number from 1 to 40, got 100');
  });
});
