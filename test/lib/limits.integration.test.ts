import { Match } from 'aws-cdk-lib/assertions';
import { GROUP_BY_LIMIT } from '../../lib/alarms';
import { RUN_TIMEOUT_MINUTES } from '../../lambda/run/limits';
import { STACK, VPC, stateMachineDefinition, synth } from './synth';

// The detailed set: its failing and probe-error alarms are Metrics Insights queries over per-load-balancer series
const { template } = synth({ ...STACK, metrics: 'detailed' });

describe('alarms that reach on-call', () => {
  it('orders the load balancers failing worst first, so that a failing one is always among the 500 series Metrics Insights evaluates', () => {
    // Prepare
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a) => JSON.stringify(a.Properties.AlarmDescription).includes('drop idle connections'))!;

    // Assess
    expect(GROUP_BY_LIMIT).toBe(500);
    expect(alarm.Properties.Metrics[0].Expression).toBe('SELECT MAX(BackendsFailing) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY MAX() DESC LIMIT 500');
  });

  it('keeps every Metrics Insights alarm window within the 3 hours it evaluates, at the longest period accepted', () => {
    // Prepare
    const { template: longest } = synth({ ...STACK, metrics: 'detailed', schedule: 'rate(90 minutes)' });

    // Act
    const windows = Object.values(longest.findResources('AWS::CloudWatch::Alarm'))
      .filter((a) => a.Properties.Metrics?.[0]?.Expression !== undefined)
      .map((a) => (a.Properties.Metrics[0].Period * a.Properties.EvaluationPeriods) / 60);

    // Assess
    expect(windows).toEqual([90, 180]);
  });

});

describe('runs that fit the limits', () => {
  it('times the execution out after discover, the probe rounds discover plans for, and publish', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: Match.stringLikeRegexp('-run$') });
    const definition = stateMachineDefinition(template) as unknown as { TimeoutSeconds: number };
    expect(definition.TimeoutSeconds).toBe(RUN_TIMEOUT_MINUTES * 60);
    expect(RUN_TIMEOUT_MINUTES).toBe(15 + 3 * 16 + 5 + 10);
  });

  it('tells discover the settings it plans the run by: inline limit, concurrency and period', () => {
    // Prepare
    const { template: tuned } = synth({ ...STACK, inlineMaxBackends: 5, maxConcurrency: 7, schedule: 'rate(30 minutes)' });

    // Assess
    tuned.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IDLE_CANARY_INLINE_MAX_BACKENDS: '5', IDLE_CANARY_MAX_CONCURRENCY: '7', IDLE_CANARY_PERIOD_MINUTES: '30' }) },
    });
  });

  it('never leaves a probe security group with EC2’s default allow-all egress, whatever the VPC configuration', () => {
    // Prepare: every way of naming the backends
    const configurations: Array<Omit<typeof VPC, 'cidr'> & { cidr?: string; backendSecurityGroupIds?: string[]; addIngress?: boolean }> = [
      { ...VPC },
      { ...VPC, cidr: undefined },
      { ...VPC, cidr: undefined, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0f1e2d3c4b5a69788'] },
      { ...VPC, backendSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], addIngress: true },
    ];

    for (const vpc of configurations) {
      // Act
      const { template: probe } = synth({ ...STACK, vpcs: [vpc] });

      // Assess: egress declared in the group itself, to the backend ports only
      probe.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
      const [group] = Object.values(probe.findResources('AWS::EC2::SecurityGroup'));
      const egress = group.Properties.SecurityGroupEgress as Array<Record<string, unknown>>;
      expect(egress.length).toBeGreaterThan(0);
      for (const rule of egress) {
        expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: expect.any(Number), ToPort: expect.any(Number) });
        expect(rule.IpProtocol).not.toBe('-1');
      }
      if (vpc.backendSecurityGroupIds) expect(egress.map((r) => r.DestinationSecurityGroupId)).toEqual(vpc.backendPorts.flatMap(() => vpc.backendSecurityGroupIds));
    }
  });
});
