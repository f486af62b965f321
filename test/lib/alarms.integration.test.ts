import { METRIC_SETS, type MetricDefinition, type MetricSet } from '../../lambda/metrics/names';
import { STACK, logicalIdOf, synth } from './synth';

const { template, stack } = synth({ ...STACK, metrics: 'detailed' });
const STACK_NAME = 'IdleCanary-123456789012-eu-west-1';

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

/** The metric alarms' and the composite alarms' properties, by name. */
function alarmsOf(t: typeof template): Record<string, Record<string, unknown>> {
  const metricAlarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => [a.Properties.AlarmName, a.Properties]);
  const composites = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm')).map((a) => [a.Properties.AlarmName, a.Properties]);
  return Object.fromEntries([...metricAlarms, ...composites]);
}

describe('CanaryAlarms', () => {
  it('alarms in the detailed set on each failing load balancer as its own contributor, on the heartbeat and on probe errors, named after the stack', () => {
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

  it('alarms in the lean set, the default, on the fleet metrics: failing load balancers, probe errors two periods running, and the heartbeat', () => {
    // Act
    const lean = Object.values(alarmsOf(synth(STACK).template));
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
    // The heartbeat's arming alarm watches Step Functions' own ExecutionsStarted, no metric of ours
    const ours = Object.values(alarmsOf(synthesized)).filter((alarm) => alarm.Namespace !== 'AWS/States');
    const alarmed = ours.filter((alarm) => alarm.AlarmRule === undefined).map((alarm) => alarmedIn(JSON.stringify(alarm)));
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
