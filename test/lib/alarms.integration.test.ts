import { STACK, logicalIdOf, synth } from './synth';

const { template, stack } = synth(STACK);
const STACK_NAME = 'IdleCanary-123456789012-eu-west-1';

/** The metric alarms' and the composite alarms' properties, by name. */
function alarmsOf(t: typeof template): Record<string, Record<string, unknown>> {
  const metricAlarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => [a.Properties.AlarmName, a.Properties]);
  const composites = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm')).map((a) => [a.Properties.AlarmName, a.Properties]);
  return Object.fromEntries([...metricAlarms, ...composites]);
}

describe('CanaryAlarms', () => {
  it('alarms on each failing load balancer as its own contributor, on the heartbeat and on probe errors, named after the stack', () => {
    // Act
    const alarms = alarmsOf(template);

    // Assess
    expect(Object.keys(alarms).sort()).toEqual([`${STACK_NAME}-Heartbeat`, `${STACK_NAME}-Heartbeat-NoRunCompleted`, `${STACK_NAME}-Heartbeat-RunsStarted`, `${STACK_NAME}-LoadBalancersFailing`, `${STACK_NAME}-ProbeErrors`]);
    expect(alarms[`${STACK_NAME}-LoadBalancersFailing`]).toMatchObject({
      Metrics: [{ Id: 'expr_1', Expression: 'SELECT MAX(BackendsFailing) FROM SCHEMA("IdleCanary", LoadBalancer) GROUP BY LoadBalancer ORDER BY MAX() DESC LIMIT 500', Period: 900, ReturnData: true, Label: 'BackendsFailing' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(alarms[`${STACK_NAME}-ProbeErrors`]).toMatchObject({
      Metrics: [{ Expression: 'SELECT SUM(ProbeErrors) FROM SCHEMA("IdleCanary", LoadBalancer)', Period: 900 }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('keeps the heartbeat quiet after a deploy: it notifies when no run completed in two periods only once runs have been started in two periods', () => {
    // Act
    const alarms = alarmsOf(template);
    const noRun = alarms[`${STACK_NAME}-Heartbeat-NoRunCompleted`];
    const armed = alarms[`${STACK_NAME}-Heartbeat-RunsStarted`];
    const heartbeat = alarms[`${STACK_NAME}-Heartbeat`];

    // Assess: the parts notify nobody; the composite needs both in ALARM
    expect(noRun).toMatchObject({ Namespace: 'IdleCanary', MetricName: 'RunCompleted', Statistic: 'Sum', Period: 900, Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2, TreatMissingData: 'breaching' });
    expect(armed).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsStarted',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalIdOf(stack.canary.stateMachine) } }],
      Statistic: 'Sum',
      Period: 900,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 96,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    for (const part of [noRun, armed]) expect([part.AlarmActions, part.OKActions]).toEqual([undefined, undefined]);
    expect(JSON.stringify(heartbeat.AlarmRule)).toMatch(/^\{"Fn::Join":\["",\["\(ALARM\(\\"",\{"Fn::GetAtt":\["\w+","Arn"\]\},"\\"\) AND ALARM\(\\"",\{"Fn::GetAtt":\["\w+","Arn"\]\},"\\"\)\)"\]\]\}$/);
    expect(heartbeat.AlarmActions).toEqual([{ Ref: logicalIdOf(stack.canary.topic) }]);
  });

  it('notifies ALARM only, unless OK notifications are asked for', () => {
    // Act
    const quiet = alarmsOf(template);
    const withOk = alarmsOf(synth({ ...STACK, okNotifications: true }).template);

    // Assess
    const notifying = [`${STACK_NAME}-Heartbeat`, `${STACK_NAME}-LoadBalancersFailing`, `${STACK_NAME}-ProbeErrors`];
    for (const name of notifying) {
      expect(quiet[name].AlarmActions).toHaveLength(1);
      expect(quiet[name].OKActions).toBeUndefined();
      expect(withOk[name].OKActions).toEqual(withOk[name].AlarmActions);
    }
  });

  it('names the alarms after the prefix given', () => {
    // Act
    const alarms = alarmsOf(synth({ ...STACK, alarmNamePrefix: 'prod-eu idle-canary', accessLogBuckets: [{ bucketName: 'corp-elb-logs' }] }).template);

    // Assess
    expect(Object.keys(alarms).sort()).toEqual([
      'prod-eu idle-canary-Hangups',
      'prod-eu idle-canary-Heartbeat',
      'prod-eu idle-canary-Heartbeat-NoRunCompleted',
      'prod-eu idle-canary-Heartbeat-RunsStarted',
      'prod-eu idle-canary-LoadBalancersFailing',
      'prod-eu idle-canary-ProbeErrors',
    ]);
  });

  it('uses an existing topic when one is given, creating none', () => {
    // Act
    const { template: withTopic } = synth({ ...STACK, alarmEmails: undefined, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });

    // Assess
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(alarmsOf(withTopic)).filter((a) => a.AlarmActions !== undefined)) expect(alarm.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
  });
});
