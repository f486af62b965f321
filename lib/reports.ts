/**
 * The reports bucket, and where in it each part of a run writes.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/** Prefix of every object the monitor writes. */
export const REPORT_PREFIX = 'idle-canary/';

/** Keys under the prefix: plans (discover), results (Distributed Maps), access log markers. */
export const REPORT_KEYS = {
  plans: `${REPORT_PREFIX}plans/*`,
  results: `${REPORT_PREFIX}results/*`,
  latest: `${REPORT_PREFIX}latest.json`,
  all: `${REPORT_PREFIX}*`,
  longPlans: `${REPORT_PREFIX}plans/*/long/*`,
  longResults: `${REPORT_PREFIX}results/*/long/*`,
  accessLogMarkers: `${REPORT_PREFIX}access-logs/seen/*`,
} as const;

/** Props of the reports bucket. */
export interface ReportsBucketProps {
  /** How long run reports are kept. */
  readonly retention: Duration;
}

/** The private, TLS-only, expiring bucket of plans, results and reports, as `Reports` in `scope`. */
export function reportsBucket(scope: Construct, props: ReportsBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, 'Reports', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    lifecycleRules: [{ expiration: props.retention, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(bucket, ['AwsSolutions-S1'], 'The bucket holds generated run reports only; access logs would need a second bucket for no security gain.');
  return bucket;
}
