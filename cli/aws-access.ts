/**
 * Checks, before anything else, that the AWS SDK has a region and credentials.
 *
 * Why first: an engineer on a bastion host should learn in one line what to set, not after a
 * stack trace from the middle of discovery.
 */
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';

/**
 * Resolves the region (the flag, else the standard chain: AWS_REGION, the profile) and the
 * credentials (the standard chain, or the `--profile` given), or throws a one-line error saying what to set.
 *
 * @example
 * const region = await checkAwsAccess(flags.region); // 'eu-west-1'
 */
export async function checkAwsAccess(region?: string, profile?: string): Promise<string> {
  const client = new ElasticLoadBalancingClient({ ...(region ? { region } : {}), ...(profile !== undefined ? { profile } : {}) });
  try {
    let resolved: string;
    try {
      resolved = await client.config.region();
    } catch {
      throw new Error('no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)');
    }
    try {
      await client.config.credentials();
    } catch {
      throw new Error(
        profile !== undefined
          ? `no AWS credentials for --profile "${profile}": check that profile in ~/.aws/config (or run aws sso login --profile ${profile})`
          : 'no AWS credentials: pass --profile, set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role is available',
      );
    }
    return resolved;
  } finally {
    client.destroy();
  }
}
