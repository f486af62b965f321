/**
 * One account and region's idle-canary, from a validated `StackConfig`.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { vpcsFromIds, type StackConfig } from './config';
import { IdleCanary } from './idle-canary';

export interface IdleCanaryStackProps extends StackProps {
  readonly config: StackConfig;
}

export class IdleCanaryStack extends Stack {
  public readonly canary: IdleCanary;

  public constructor(scope: Construct, id: string, props: IdleCanaryStackProps) {
    super(scope, id, { ...props, env: { account: props.config.account, region: props.config.region } });
    const { config } = props;
    this.canary = new IdleCanary(this, 'IdleCanary', {
      vpcs: vpcsFromIds(this, config.vpcs),
      loadBalancerNames: config.loadBalancerNames,
      tags: config.tags,
      schedule: config.schedule,
      digestSchedule: config.digestSchedule,
      periodMinutes: config.periodMinutes,
      topic: config.topicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', config.topicArn) : undefined,
      alarmEmails: config.alarmEmails,
      alarmNamePrefix: config.alarmNamePrefix,
      okNotifications: config.okNotifications,
      margin: config.marginS === undefined ? undefined : Duration.seconds(config.marginS),
      namespace: config.namespace,
      metrics: config.metrics,
      maxBackendsPerPort: config.maxBackendsPerPort,
      runAfterEcsDeployments: config.runAfterEcsDeployments,
      runAfterCodeDeployDeployments: config.runAfterCodeDeployDeployments,
      reportRetention: config.reportRetentionDays === undefined ? undefined : Duration.days(config.reportRetentionDays),
      logRetention: config.logRetentionDays === undefined ? undefined : retentionOf(config.logRetentionDays),
      maxConcurrency: config.maxConcurrency,
      inlineMaxBackends: config.inlineMaxBackends,
      toleratedFailurePercentage: config.toleratedFailurePercentage,
      accessLogBuckets: config.accessLogBuckets,
      hangupsAlarmThreshold: config.hangupsAlarmThreshold,
      longTimeouts: config.longTimeouts,
    });
  }
}

/** The CloudWatch Logs retention closest above the wanted days. */
function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0).sort((a, b) => a - b);
  return allowed.find((d) => d >= days) ?? logs.RetentionDays.TEN_YEARS;
}
