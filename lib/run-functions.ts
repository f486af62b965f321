/**
 * The functions outside the VPCs: discover (plans a run), publish (judges, reports, puts
 * metrics) and digest (the daily summary), each allowed exactly what it does.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { CLOUDFRONT_LIST_ACTIONS, CLOUDFRONT_READ_ACTIONS, cloudFrontReadArns, DISCOVERY_ACTIONS } from '../lambda/discovery/permissions';
import { ENV, settingsEnvironment } from '../lambda/handlers/config';
import { STEP_MINUTES } from '../lambda/run/limits';
import { Construct } from 'constructs';
import { functionFactory, putMetricsIn, type MetricsTarget } from './canary-function';
import { acknowledge, acknowledgeWildcards, objectsUnder, CLOUDFRONT_READS } from './nag';
import { PROBE_TIMEOUT, probeEnvironment, type ProbeSettingsProps } from './probe-settings';
import { REPORT_KEYS, REPORT_PREFIX } from './reports';
import { logRetentionOf, type ReportsPartProps } from './part-props';

/** Props of the discover, publish and digest functions. */
export interface RunFunctionsProps extends ReportsPartProps, MetricsTarget, ProbeSettingsProps {
  /** The topic publish notifies of changes and digest sends to. */
  readonly topic: sns.ITopic;
  /** VPCs with a probe function. */
  readonly vpcIds: readonly string[];
  /**
   * Only the load balancers with these names (or `*` patterns) are probed.
   * @default every load balancer in the VPCs
   */
  readonly loadBalancerNames?: readonly string[];
  /**
   * Only the load balancers carrying all these tags (`key` or `key=value`) are probed.
   * @default no tag needed
   */
  readonly tags?: readonly string[];
  /** Backends above which a run goes through S3 and Distributed Maps. */
  readonly inlineMaxBackends: number;
  /** Probe shards or batches run at once. */
  readonly maxConcurrency: number;
  /** Backends probed per load balancer and port in one run. */
  readonly maxBackendsPerPort: number;
  /** The schedule's period, in minutes. */
  readonly periodMinutes: number;
  /**
   * Whether discover routes long horizons to the Fargate probe.
   * @default false
   */
  readonly longTimeouts?: boolean;
  /**
   * Whether publish reads the recent hang-ups of the access logs.
   * @default false
   */
  readonly readsAccessLogs?: boolean;
  /**
   * Whether discover also reads the account's CloudFront distributions and VPC origins.
   * @default false
   */
  readonly cloudFront?: boolean;
  /**
   * Whether discover plans public custom origins for the probe function outside any VPC.
   * @default false: they are listed as not probed
   */
  readonly probePublicOrigins?: boolean;
}

/**
 * Discover, publish and digest (`Discover`, `Publish`, `Digest`, each with its `<id>Logs`).
 *
 * Why outside the VPCs: these three call AWS APIs, so the VPCs need no NAT gateway or endpoint
 * for them. Discover's permission to list the runs is added by `RunStateMachine`, which knows
 * the machine's ARN.
 *
 * @example
 * const run = new RunFunctions(this, 'RunFunctions', {
 *   bucket, topic, vpcIds: ['vpc-0a1b2c3d'], marginS: 1, namespace: 'IdleCanary', metrics: 'lean',
 *   inlineMaxBackends: 100, maxConcurrency: 10, maxBackendsPerPort: 2, periodMinutes: 15,
 * });
 */
export class RunFunctions extends Construct {
  public readonly discover: lambda.Function;
  public readonly publish: lambda.Function;
  public readonly digest: lambda.Function;

  public constructor(scope: Construct, id: string, props: RunFunctionsProps) {
    super(scope, id);
    const { bucket, topic } = props;
    const functions = functionFactory(this, logRetentionOf(props));
    const shared = probeEnvironment(props);
    const reports = { [ENV.bucket]: bucket.bucketName, [ENV.reportPrefix]: REPORT_PREFIX, [ENV.topicArn]: topic.topicArn };
    const readLatest = new iam.PolicyStatement({ sid: 'ReadLatestRun', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(REPORT_KEYS.latest)] });
    // S3 answers a missing object with 404 (NoSuchKey) only to a caller that may list the
    // bucket, else with 403: without it, the digest before the first run would fail.
    const listReports = new iam.PolicyStatement({ sid: 'ListReports', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] });
    const notify = (sid: string) => new iam.PolicyStatement({ sid, actions: ['sns:Publish'], resources: [topic.topicArn] });

    this.discover = functions('Discover', 'discover', {
      // Paced at 8 calls a second per API family, 2,000 load balancers take about 4.5 minutes.
      timeout: Duration.minutes(STEP_MINUTES.discover),
      environment: {
        ...shared,
        [ENV.vpcIds]: props.vpcIds.join(','),
        ...(props.loadBalancerNames?.length ? { [ENV.loadBalancers]: props.loadBalancerNames.join(',') } : {}),
        ...(props.tags?.length ? { [ENV.tags]: props.tags.join(',') } : {}),
        [ENV.bucket]: bucket.bucketName,
        [ENV.reportPrefix]: REPORT_PREFIX,
        ...settingsEnvironment({ inlineMaxBackends: props.inlineMaxBackends, maxConcurrency: props.maxConcurrency, maxBackendsPerPort: props.maxBackendsPerPort, periodMinutes: props.periodMinutes }),
        ...(props.longTimeouts === true ? { [ENV.longTimeouts]: 'on', ...settingsEnvironment({ probeTimeoutS: PROBE_TIMEOUT.toSeconds() }) } : {}),
        // Only when on: a stack without CloudFront keeps the environment (and template) it had.
        ...(props.cloudFront === true ? settingsEnvironment({ cloudFront: true, ...(props.probePublicOrigins === true ? { probePublicOrigins: true } : {}) }) : {}),
      },
    });
    this.discover.addToRolePolicy(new iam.PolicyStatement({ sid: 'DescribeLoadBalancers', actions: [...DISCOVERY_ACTIONS], resources: ['*'] }));
    this.discover.addToRolePolicy(new iam.PolicyStatement({ sid: 'WritePlans', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(REPORT_KEYS.plans)] }));
    const describes = 'Elastic Load Balancing and EC2 Describe actions';
    acknowledge(this.discover, ['AwsSolutions-IAM5[Resource::*]'], `${props.cloudFront === true ? `${describes}, and CloudFront's ListDistributions and ListVpcOrigins,` : describes} do not support resource-level permissions.`);
    acknowledgeWildcards(
      this.discover,
      { patterns: [objectsUnder(REPORT_KEYS.plans)], reason: 'Each run writes its plan files under the plans/ prefix of its own bucket.' },
      ...(props.cloudFront === true ? [{ patterns: [CLOUDFRONT_READS], reason: "GetDistribution and GetVpcOrigin on the account's distributions and VPC origins only, whose ids discover finds at run time." }] : []),
    );
    if (props.cloudFront === true) {
      const { partition, account } = Stack.of(this);
      // The global CloudFront API: the listings have no resource-level permissions (acknowledged with the Describe calls above).
      this.discover.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListCloudFrontOrigins', actions: [...CLOUDFRONT_LIST_ACTIONS], resources: ['*'] }));
      this.discover.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadCloudFrontOrigins', actions: [...CLOUDFRONT_READ_ACTIONS], resources: cloudFrontReadArns(partition, account) }));
    }

    this.publish = functions('Publish', 'publish', {
      timeout: Duration.minutes(STEP_MINUTES.publish),
      environment: { ...shared, ...reports, ...(props.readsAccessLogs === true ? { [ENV.accessLogs]: 'on' } : {}) },
    });
    putMetricsIn(this.publish, props);
    this.publish.addToRolePolicy(new iam.PolicyStatement({ sid: 'WriteReports', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(REPORT_KEYS.all)] }));
    this.publish.addToRolePolicy(readLatest);
    this.publish.addToRolePolicy(listReports);
    this.publish.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadPlansAndResults', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(REPORT_KEYS.plans), bucket.arnForObjects(REPORT_KEYS.results)] }));
    this.publish.addToRolePolicy(notify('NotifyChanges'));
    if (props.readsAccessLogs === true) this.publish.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadRecentHangups', actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    acknowledgeWildcards(
      this.publish,
      { patterns: [objectsUnder(REPORT_KEYS.plans), objectsUnder(REPORT_KEYS.results)], reason: "Each run reads its own plan files and its Distributed Maps' result files, whose names carry run and map ids." },
      { patterns: [objectsUnder(REPORT_KEYS.all)], reason: 'Reports are written under one prefix of their own bucket, one object per run.' },
    );

    this.digest = functions('Digest', 'digest', { timeout: Duration.minutes(1), environment: reports });
    this.digest.addToRolePolicy(readLatest);
    this.digest.addToRolePolicy(listReports);
    this.digest.addToRolePolicy(notify('SendDigest'));
  }
}
