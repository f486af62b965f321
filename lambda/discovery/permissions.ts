/**
 * The AWS actions discovery calls: the discover function's role is given exactly these, and the
 * README's IAM policy for `idle-canary scan` is written from the same list (a test compares).
 */

/** The Describe calls discovery makes, and nothing else; `Resource: "*"` (none supports resource-level permissions). */
export const DISCOVERY_ACTIONS = [
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeLoadBalancerPolicies',
  'elasticloadbalancing:DescribeInstanceHealth',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'ec2:DescribeInstances',
  // Reachability: the security groups in front of each backend.
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
] as const;

/**
 * What the CloudFront source calls (`cloudFront` on, `scan --cloudfront`): the global API, whose
 * listing actions support no resource-level permissions. `GetDistribution` only for a listing
 * that leaves a distribution's origins out.
 */
export const CLOUDFRONT_DISCOVERY_ACTIONS = ['cloudfront:ListDistributions', 'cloudfront:GetDistribution', 'cloudfront:ListVpcOrigins', 'cloudfront:GetVpcOrigin'] as const;

/** What `scan --publish` adds: putting the metrics. */
const PUBLISH_ACTIONS = ['cloudwatch:PutMetricData'] as const;

/**
 * The IAM policy document `idle-canary scan` needs (with `--cloudfront`, CloudFront's listing;
 * with `--publish`, the metrics too), as JSON.
 *
 * @example
 * scanPolicyJson(); // '{\n  "Version": "2012-10-17",\n  "Statement": [ ... ] }'
 */
export function scanPolicyJson(): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'IdleCanaryDiscover', Effect: 'Allow', Action: DISCOVERY_ACTIONS, Resource: '*' },
        { Sid: 'IdleCanaryCloudFrontWithCloudFrontFlag', Effect: 'Allow', Action: CLOUDFRONT_DISCOVERY_ACTIONS, Resource: '*' },
        { Sid: 'IdleCanaryPublishWithPublishFlag', Effect: 'Allow', Action: PUBLISH_ACTIONS, Resource: '*' },
      ],
    },
    null,
    2,
  );
}
