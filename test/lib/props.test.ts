import { Duration } from 'aws-cdk-lib';
import { checkMetricsProp, checkProps } from '../../lib/props';
import { RANGES } from '../../lambda/shared/settings';

describe('checkProps', () => {
  it.each([
    [{ maxConcurrency: 41 }, 'maxConcurrency: expected a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once), got 41'],
    [{ maxConcurrency: 2.5 }, 'maxConcurrency: expected a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once), got 2.5'],
    [{ inlineMaxBackends: -1 }, 'inlineMaxBackends: expected a whole number from 0 to 10000, got -1'],
    [{ margin: Duration.seconds(601) }, 'margin: expected a number of seconds from 0 to 600, got 10 minutes 1 second'],
    [{ maxBackendsPerPort: 0 }, 'maxBackendsPerPort: expected a whole number from 1 to 1000, got 0'],
    [{ periodMinutes: 91 }, 'periodMinutes: expected a number of minutes from 1 to 90 (the ProbeErrors alarm spans 2 periods, and Metrics Insights evaluates the last 3 hours only), got 91'],
    [{ loadBalancerNames: ['web', 'k8s prod'] }, 'loadBalancerNames[1]: expected a load balancer name, or a pattern with * (letters, digits, - and *; at most 32), got "k8s prod"'],
    [{ tags: ['team=payments,search'] }, 'tags[0]: expected a tag key, or key=value, without commas, got "team=payments,search"'],
    [{ tags: ['=payments'] }, 'tags[0]: expected a tag key, or key=value, without commas, got "=payments"'],
    [{ alarmNamePrefix: 'prod\u001b[31m' }, 'alarmNamePrefix: expected up to 200 printable ASCII characters, got "prod\\u001b[31m"'],
    [{ precision: Duration.millis(5) }, 'precision: expected a number of seconds from 0.01 to 600, got 5 millis'],
    [{ toleratedFailurePercentage: 101 }, 'toleratedFailurePercentage: expected a percentage from 0 to 100, got 101'],
    [{ hangupsAlarmThreshold: 0 }, 'hangupsAlarmThreshold: expected a number from 1 to 1000000, got 0'],
    [{ reportRetention: Duration.hours(36) }, 'reportRetention: expected a whole number of days from 1 to 3650 (S3 expires objects after whole days), got 1 day 12 hours'],
    [{ namespace: 'Idle Canary' }, 'namespace: expected a CloudWatch namespace: 1 to 255 letters, digits or . - _ / # :, got "Idle Canary"'],
    [{ topic: {}, alarmEmails: ['oncall@example.com'] }, 'alarmEmails: expected no emails with a topic of your own (subscribe them to that topic), got ["oncall@example.com"]'],
    [{ probePublicOrigins: true }, 'probePublicOrigins: expected true only with cloudFront true (public origins are found in CloudFront distributions), got true'],
    [{ cloudFront: false, probePublicOrigins: true }, 'probePublicOrigins: expected true only with cloudFront true (public origins are found in CloudFront distributions), got true'],
  ])('rejects %j in one line naming the prop, what is accepted and the value', (props, message) => {
    // Act & Assess
    expect(() => checkProps(props)).toThrow(message);
  });

  it('accepts the ends of every range the functions and cdk.json accept, and props left unset', () => {
    // Prepare
    const ends = (end: 'min' | 'max') => ({
      margin: Duration.seconds(RANGES.marginS[end]),
      maxBackendsPerPort: RANGES.maxBackendsPerPort[end],
      periodMinutes: RANGES.periodMinutes[end],
      maxConcurrency: RANGES.maxConcurrency[end],
      inlineMaxBackends: RANGES.inlineMaxBackends[end],
      toleratedFailurePercentage: RANGES.toleratedFailurePercentage[end],
      hangupsAlarmThreshold: RANGES.hangupsAlarmThreshold[end],
      reportRetention: Duration.days(RANGES.reportRetentionDays[end]),
      precision: Duration.seconds(RANGES.precisionS[end]),
    });

    // Act & Assess
    expect(() => [checkProps(ends('min')), checkProps(ends('max')), checkProps({})]).not.toThrow();
    expect(() => checkProps({ loadBalancerNames: ['k8s-prod-*', 'web'], tags: ['team', 'env=prod', 'kubernetes.io/cluster/prod=owned'], alarmNamePrefix: 'Prod idle-canary' })).not.toThrow();
    expect(() => [checkProps({ cloudFront: true, probePublicOrigins: true }), checkProps({ cloudFront: true }), checkProps({ probePublicOrigins: false })]).not.toThrow();
  });
});

describe('checkMetricsProp', () => {
  it('rejects a set that does not exist in one line naming the prop, the sets and the value, and accepts both sets and none', () => {
    // Act & Assess
    expect(() => checkMetricsProp({ metrics: 'full' })).toThrow(`metrics: expected 'lean' or 'detailed', got "full"`);
    expect(() => [checkMetricsProp({ metrics: 'lean' }), checkMetricsProp({ metrics: 'detailed' }), checkMetricsProp({})]).not.toThrow();
  });
});
