/**
 * The function S3 notifies of each new access log object, with read access to the logs of
 * this account and region only, and its markers in the reports bucket.
 *
 * Why S3 notifications on the existing buckets: the logs are already there; CDK adds the
 * notification next to any the bucket already has (it needs a prefix of its own).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type { Construct } from 'constructs';
import { ENV } from '../lambda/handlers/config';
import { putMetricsIn, type FunctionFactory } from './canary-function';
import { acknowledge, acknowledgeWildcards, managedPolicyFinding, objectsOfBuckets, objectsUnder } from './nag';
import type { AccessLogBucketConfig } from './props';
import { REPORT_KEYS, REPORT_PREFIX } from './reports';

/** How long counting one access log object may take (a busy ALB's object is ~1 GB of text). */
const ACCESS_LOG_TIMEOUT = Duration.minutes(5);

/** Props of the access log counter. */
export interface AccessLogCounterProps {
  /** Makes the function in the monitor's scope. */
  readonly functions: FunctionFactory;
  /** The reports bucket, where each counted object leaves a marker. */
  readonly bucket: s3.IBucket;
  /** Buckets the load balancers write their access logs to. */
  readonly buckets: readonly AccessLogBucketConfig[];
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
}

/** The counter (`AccessLogs`) and the notifications of the log buckets (`AccessLogBucket<i>`), in `scope`. */
export function accessLogCounter(scope: Construct, props: AccessLogCounterProps): lambda.Function {
  const { bucket, buckets, namespace } = props;
  const { account, region, partition } = Stack.of(scope);
  const counter = props.functions('AccessLogs', 'access-logs', {
    description: 'idle-canary: counts backend hang-ups in new load balancer access log objects',
    timeout: ACCESS_LOG_TIMEOUT,
    memorySize: 1024,
    environment: {
      [ENV.bucket]: bucket.bucketName,
      [ENV.reportPrefix]: REPORT_PREFIX,
      [ENV.namespace]: namespace,
      // A claim older than the timeout belongs to an invocation that died.
      [ENV.claimStaleS]: String(ACCESS_LOG_TIMEOUT.toSeconds() + 60),
    },
  });
  // Lambda retries a failed object twice; objects already counted are skipped by their marker.
  counter.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
  const logPrefixes = buckets.map((b) => `${b.prefix ? `${b.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/${account}/elasticloadbalancing/${region}/`);
  counter.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadAccessLogs', actions: ['s3:GetObject'], resources: buckets.map((b, i) => `arn:${partition}:s3:::${b.bucketName}/${logPrefixes[i]}*`) }));
  counter.addToRolePolicy(new iam.PolicyStatement({ sid: 'MarkCountedObjects', actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(REPORT_KEYS.accessLogMarkers)] }));
  // A log object deleted before it is read must be NoSuchKey (skipped), not AccessDenied (retried, then dropped).
  counter.addToRolePolicy(
    new iam.PolicyStatement({ sid: 'ListReadBuckets', actions: ['s3:ListBucket'], resources: [bucket.bucketArn, ...[...new Set(buckets.map((b) => b.bucketName))].map((name) => `arn:${partition}:s3:::${name}`)] }),
  );
  putMetricsIn(counter, namespace);
  buckets.forEach((config, i) => {
    const logBucket = s3.Bucket.fromBucketName(scope, `AccessLogBucket${i}`, config.bucketName);
    logBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(counter), { prefix: logPrefixes[i] });
  });
  // CDK's notification handler (one per stack) sets the notification on each imported bucket.
  const notificationsHandler = Stack.of(scope).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (notificationsHandler !== undefined) {
    acknowledge(notificationsHandler, [managedPolicyFinding('AWSLambdaBasicExecutionRole')], "CDK's bucket notification handler writes its own logs, nothing else.");
    acknowledge(notificationsHandler, ['AwsSolutions-IAM5[Resource::*]'], "CDK's bucket notification handler sets the notification configuration of the buckets named in the configuration, at deployment only.");
  }
  acknowledgeWildcards(counter, {
    patterns: [objectsUnder(REPORT_KEYS.accessLogMarkers), objectsOfBuckets(buckets.map((b) => b.bucketName))],
    reason: "Log objects are read under this account and region's log prefix only, whose keys carry dates and node addresses; markers are one object per log object, under one prefix.",
  });
  return counter;
}
