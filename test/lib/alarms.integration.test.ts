import { STACK, logicalIdOf, synth } from './synth';

const { template, stack } = synth(STACK);

describe('CanaryAlarms', () => {
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
      expect(alarm.AlarmActions).toEqual([{ Ref: logicalIdOf(stack.canary.topic) }]);
      expect(alarm.OKActions).toEqual([{ Ref: logicalIdOf(stack.canary.topic) }]);
    }
  });

  it('uses an existing topic when one is given, creating none', () => {
    // Act
    const { template: withTopic } = synth({ ...STACK, alarmEmails: undefined, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });

    // Assess
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(withTopic.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
  });
});
