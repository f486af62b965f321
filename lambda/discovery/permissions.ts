/**
 * The AWS actions discovery calls: the discover function's role is given exactly these (the
 * CloudFront ones with `cloudFront`), and the README's IAM policy for `idle-canary scan` is
 * written from the same lists (a test compares).
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
  // A CloudFront origin on a Network Load Balancer: the listener CloudFront reaches, its TCP idle timeout, and whether its targets expect PROXY protocol v2.
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeListenerAttributes',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'ec2:DescribeInstances',
  // Reachability: the security groups in front of each backend.
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
] as const;

/**
 * The CloudFront calls discovery makes when it reads the account's distributions (`cloudFront`):
 * listing the distributions and the VPC origins. Neither supports resource-level permissions
 * (the Service Authorization Reference lists no resource type for them): `Resource: "*"`.
 */
export const CLOUDFRONT_LIST_ACTIONS = ['cloudfront:ListDistributions', 'cloudfront:ListVpcOrigins'] as const;

/**
 * Reading one distribution (only for a listing that leaves a distribution's origins out) or one
 * VPC origin (the load balancer or instance behind it): limited to the account's distributions
 * and VPC origins (`cloudFrontReadArns`).
 */
export const CLOUDFRONT_READ_ACTIONS = ['cloudfront:GetDistribution', 'cloudfront:GetVpcOrigin'] as const;

/**
 * The distributions and VPC origins of an account, the tightest resources GetDistribution and
 * GetVpcOrigin allow: their ids are found at run time, and CloudFront's ARNs name no region (a
 * global service).
 *
 * @example
 * cloudFrontReadArns('aws', '123456789012'); // ['arn:aws:cloudfront::123456789012:distribution/*', 'arn:aws:cloudfront::123456789012:vpcorigin/*']
 */
export function cloudFrontReadArns(partition: string, account: string): string[] {
  return ['distribution', 'vpcorigin'].map((kind) => `arn:${partition}:cloudfront::${account}:${kind}/*`);
}

/** What `scan --publish` adds: putting the metrics. */
const PUBLISH_ACTIONS = ['cloudwatch:PutMetricData'] as const;

/**
 * The IAM policy document `idle-canary scan` needs (reading CloudFront, its two statements;
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
        { Sid: 'IdleCanaryListCloudFrontWithCloudFront', Effect: 'Allow', Action: CLOUDFRONT_LIST_ACTIONS, Resource: '*' },
        { Sid: 'IdleCanaryReadCloudFrontWithCloudFront', Effect: 'Allow', Action: CLOUDFRONT_READ_ACTIONS, Resource: cloudFrontReadArns('aws', '*') },
        { Sid: 'IdleCanaryPublishWithPublishFlag', Effect: 'Allow', Action: PUBLISH_ACTIONS, Resource: '*' },
      ],
    },
    null,
    2,
  );
}
