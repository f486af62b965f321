import type { Template } from 'aws-cdk-lib/assertions';
import { METRIC_SETS, type MetricDefinition, type MetricSet } from '../../lambda/metrics/names';
import { STACK, logicalIdOf, synth } from './synth';

const { template, stack } = synth({ ...STACK, metrics: 'detailed' });

/** The alarms' properties. */
const alarmsOf = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

/** The metric names an alarm refers to: by `MetricName`, or in a Metrics Insights `SELECT`. */
function alarmedIn(text: string): string[] {
  const named = [...text.matchAll(/"MetricName":"(\w+)"/g)].map((m) => m[1]);
  const selected = [...text.matchAll(/SELECT [A-Z]+\((\w+)\)/g)].map((m) => m[1]);
  return [...new Set([...named, ...selected])];
}

/** The metric names a dashboard body graphs: in a Metrics Insights `SELECT`, or in a metric array after the namespace. */
function graphedIn(body: string, namespace: string): string[] {
  const graphed = [...body.matchAll(new RegExp(`\\\\?"${namespace}\\\\?",\\\\?"(\\w+)\\\\?"`, 'g'))].map((m) => m[1]);
  return [...new Set([...alarmedIn(body), ...graphed])];
}

describe('CanaryAlarms', () => {
  it('alarms in the detailed set on each failing load balancer as its own contributor, on the heartbeat and on probe errors, to the topic for alarm and OK', () => {
    // Prepare
    const alarms = alarmsOf(template);
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

  it('alarms in the lean set, the default, on the fleet metrics: failing load balancers, probe errors two periods running, and the heartbeat', () => {
    // Act
    const lean = alarmsOf(synth(STACK).template);
    const byName = (text: string) => lean.find((a) => JSON.stringify(a.AlarmDescription).includes(text))!;

    // Assess
    expect(byName('drop idle connections')).toMatchObject({ Namespace: 'IdleCanary', MetricName: 'LoadBalancersFailing', Statistic: 'Maximum', Period: 900, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(JSON.stringify(byName('drop idle connections').AlarmDescription)).toContain('The report names the failing load balancers');
    expect(byName('could not be probed')).toMatchObject({ Namespace: 'IdleCanary', MetricName: 'FleetProbeErrors', Statistic: 'Sum', Period: 900, Threshold: 0, EvaluationPeriods: 2, TreatMissingData: 'notBreaching' });
    expect(byName('No idle-canary run completed')).toMatchObject({ MetricName: 'RunCompleted', Statistic: 'Sum', TreatMissingData: 'breaching' });
  });

  it.each(Object.keys(METRIC_SETS) as MetricSet[])('refers in every alarm and graph only to metrics the %s set publishes', (metrics) => {
    // Prepare: with access logs, for the hang-up alarm
    const { template: synthesized } = synth({ ...STACK, metrics, namespace: 'Platform/Canary', accessLogBuckets: [{ bucketName: 'corp-elb-logs' }] });
    const [dashboard] = Object.values(synthesized.findResources('AWS::CloudWatch::Dashboard'));
    const published = Object.values(METRIC_SETS[metrics]).flat().map((m: MetricDefinition) => m.name);

    // Act
    const alarmed = alarmsOf(synthesized).map((alarm) => alarmedIn(JSON.stringify(alarm)));
    const graphed = graphedIn(JSON.stringify(dashboard.Properties.DashboardBody), 'Platform/Canary');

    // Assess: four alarms, each on one metric of the set; the graphs too
    expect(alarmed).toHaveLength(4);
    for (const names of alarmed) {
      expect(names).toHaveLength(1);
      expect(published).toContain(names[0]);
    }
    expect(graphed.length).toBeGreaterThanOrEqual(5);
    expect(graphed.filter((name) => !published.includes(name))).toEqual([]);
  });

  it('uses an existing topic when one is given, creating none', () => {
    // Act
    const { template: withTopic } = synth({ ...STACK, alarmEmails: undefined, topicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' });

    // Assess
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(withTopic.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
  });
});
