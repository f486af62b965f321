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

/**
 * A custom origin at `domain` on CloudFront's default ports, with this keep-alive (CloudFront's
 * default of 5 s when none) and protocol policy.
 *
 * @example
 * distributionConfig('shop', [customOrigin('shop-alb', alb.DNSName!, 90)]);
 */
export function customOrigin(id: string, domain: string, keepAliveS?: number, policy: 'http-only' | 'https-only' = 'https-only'): Origin {
  return { Id: id, DomainName: domain, CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: policy, ...(keepAliveS !== undefined ? { OriginKeepaliveTimeout: keepAliveS } : {}) } };
}
