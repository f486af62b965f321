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
import { Construct } from 'constructs';
import { ENV, settingsEnvironment } from '../lambda/handlers/config';
import { ACCESS_LOG_TIMEOUT_S, DEFAULTS } from '../lambda/shared/settings';
import { functionFactory, putMetricsIn, type MetricsTarget } from './canary-function';
import { acknowledge, acknowledgeWildcards, managedPolicyFinding, objectsOfBuckets, objectsUnder } from './nag';
import { REPORT_KEYS, REPORT_PREFIX } from './reports';
import { logRetentionOf, type ReportsPartProps } from './part-props';

/** How long counting one access log object may take (a busy ALB's object is ~1 GB of text); claims go stale a minute later. */
const ACCESS_LOG_TIMEOUT = Duration.seconds(ACCESS_LOG_TIMEOUT_S);

/** A bucket that load balancers write access logs to, imported by name. */
export interface AccessLogSource {
  /** The bucket (`s3.Bucket.fromBucketName`): its name is plain text in the policies. */
  readonly bucket: s3.IBucket;
  /**
   * The prefix given to the load balancers' logging settings (without `AWSLogs`).
   * @default none: logs are under `AWSLogs/` at the bucket's root
   */
  readonly prefix?: string;
}

/** Props of the access log counter: the namespace and metric set it puts are `MetricsTarget`'s. */
export interface AccessLogCounterProps extends ReportsPartProps, MetricsTarget {
  /** Buckets the load balancers write their access logs to; each notifies the counter of new objects. */
  readonly logBuckets: readonly AccessLogSource[];
}

/**
 * The counter function (`AccessLogs`), notified by each log bucket of its new objects.
 *
 * Why the log buckets come in imported: a bucket's notification resource lives under the
 * imported bucket's construct, and its owner keeps that path across upgrades (see `IdleCanary`).
 *
 * @example
 * new AccessLogCounter(this, 'AccessLogCounter', {
 *   bucket, namespace: 'IdleCanary', metrics: 'lean',
 *   logBuckets: [{ bucket: s3.Bucket.fromBucketName(this, 'AccessLogBucket0', 'corp-elb-logs'), prefix: 'prod' }],
 * });
 */
export class AccessLogCounter extends Construct {
  public readonly function: lambda.Function;

  public constructor(scope: Construct, id: string, props: AccessLogCounterProps) {
    super(scope, id);
    this.function = countObjects(this, props);
  }
}

/** The counter, its permissions and the buckets' notifications. */
function countObjects(scope: Construct, props: AccessLogCounterProps): lambda.Function {
  const { bucket, logBuckets } = props;
  const { account, region, partition } = Stack.of(scope);
  const names = logBuckets.map((b) => b.bucket.bucketName);
  const counter = functionFactory(scope, logRetentionOf(props))('AccessLogs', 'access-logs', {
    description: 'idle-canary: counts backend hang-ups in new load balancer access log objects',
    timeout: ACCESS_LOG_TIMEOUT,
    memorySize: 1024,
    environment: {
      [ENV.bucket]: bucket.bucketName,
      [ENV.reportPrefix]: REPORT_PREFIX,
      // A claim older than the timeout belongs to an invocation that died.
      ...settingsEnvironment({ claimStaleS: DEFAULTS.claimStaleS }),
    },
  });
  // Lambda retries a failed object twice; objects already counted are skipped by their marker.
  counter.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
  const logPrefixes = logBuckets.map((b) => `${b.prefix ? `${b.prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/${account}/elasticloadbalancing/${region}/`);
  counter.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadAccessLogs', actions: ['s3:GetObject'], resources: names.map((name, i) => `arn:${partition}:s3:::${name}/${logPrefixes[i]}*`) }));
  counter.addToRolePolicy(new iam.PolicyStatement({ sid: 'MarkCountedObjects', actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(REPORT_KEYS.accessLogMarkers)] }));
  // A log object deleted before it is read must be NoSuchKey (skipped), not AccessDenied (retried, then dropped).
  counter.addToRolePolicy(
    new iam.PolicyStatement({ sid: 'ListReadBuckets', actions: ['s3:ListBucket'], resources: [bucket.bucketArn, ...[...new Set(names)].map((name) => `arn:${partition}:s3:::${name}`)] }),
  );
  putMetricsIn(counter, props);
  logBuckets.forEach((source, i) => source.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(counter), { prefix: logPrefixes[i] }));
  // CDK's notification handler (one per stack) sets the notification on each imported bucket.
  const notificationsHandler = Stack.of(scope).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  if (notificationsHandler !== undefined) {
    acknowledge(notificationsHandler, [managedPolicyFinding('AWSLambdaBasicExecutionRole')], "CDK's bucket notification handler writes its own logs, nothing else.");
    acknowledge(notificationsHandler, ['AwsSolutions-IAM5[Resource::*]'], "CDK's bucket notification handler sets the notification configuration of the buckets named in the configuration, at deployment only.");
  }
  acknowledgeWildcards(counter, {
    patterns: [objectsUnder(REPORT_KEYS.accessLogMarkers), objectsOfBuckets(names)],
    reason: "Log objects are read under this account and region's log prefix only, whose keys carry dates and node addresses; markers are one object per log object, under one prefix.",
  });
  return counter;
}
