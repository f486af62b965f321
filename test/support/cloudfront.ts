/**
 * CloudFront distributions as tests create them in moto: the smallest configuration
 * `CreateDistribution` takes, around the origins under test.
 */
import type { DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';

/**
 * A distribution's configuration with these origins, the first as its default behaviour's target.
 *
 * @example
 * await cloudFront.send(new CreateDistributionCommand({ DistributionConfig: distributionConfig('shop', [origin]) }));
 */
export function distributionConfig(reference: string, origins: readonly Origin[]): DistributionConfig {
  return {
    CallerReference: reference,
    Comment: reference,
    Enabled: true,
    Origins: { Quantity: origins.length, Items: [...origins] },
    DefaultCacheBehavior: { TargetOriginId: origins[0].Id!, ViewerProtocolPolicy: 'allow-all', MinTTL: 0, ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, TrustedSigners: { Enabled: false, Quantity: 0 } },
  };
}
