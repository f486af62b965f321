/**
 * The topic alarms notify, when the user gives none.
 *
 * Why a module of its own: the topic stays in the monitor's own scope (its subscriptions are
 * confirmed by people, so its logical id must never change), while the alarms are a construct.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * The topic alarms notify (`Alarms`), with the emails subscribed, in `scope`.
 *
 * Why a statement for CloudWatch: enforceSSL's policy replaces SNS's default one, without
 * which no alarm could publish.
 */
export function alarmTopic(scope: Construct, emails: readonly string[]): sns.Topic {
  const topic = new sns.Topic(scope, 'Alarms', { displayName: 'idle-canary alarms', enforceSSL: true });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
  acknowledge(topic, ['AwsSolutions-SNS2'], 'Alarm notifications carry load balancer names and verdicts only; CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key.');
  return topic;
}
