/**
 * The discover function with the CloudFront settings in its environment, against moto: with
 * `IDLE_CANARY_CLOUDFRONT` it reads the distributions (an origin on the ALB checked, a public one
 * listed), and with `IDLE_CANARY_PROBE_PUBLIC_ORIGINS` too it plans the public origin in a shard
 * outside any VPC (the state machine's probe outside any VPC). Planning only: nothing is probed.
 */
import { CloudFrontClient, CreateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { discoverStep } from '../../../lambda/handlers/discover';
import { readDiscovery } from '../../../lambda/run/store';
import type { InlineRun } from '../../../lambda/run/types';
import { customOrigin, distributionConfig } from '../../support/cloudfront';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';
import { motoAlb, motoVpc } from '../../support/moto-alb';

const REPORTS = 'idle-canary-reports';

describe('the discover function with IDLE_CANARY_CLOUDFRONT (moto)', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let clients: { s3: S3Client; sfn: SFNClient };

  beforeAll(async () => {
    // Prepare: an ALB (default 60 s idle timeout), a distribution with two origins: the ALB at keep-alive 90 s, and a public site
    moto = await startMoto();
    useMotoOnly(moto);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    clients = { s3: new S3Client({ forcePathStyle: true }), sfn: new SFNClient({}) };
    await clients.s3.send(new CreateBucketCommand({ Bucket: REPORTS, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const ec2 = new EC2Client({});
    const elbv2 = new ElasticLoadBalancingV2Client({});
    const cloudFront = new CloudFrontClient({ region: 'us-east-1' });
    const alb = await motoAlb(elbv2, { name: 'shop', ...(await motoVpc(ec2, '10.30')), groups: [] });
    await cloudFront.send(
      new CreateDistributionCommand({
        DistributionConfig: distributionConfig('shop', [customOrigin('shop-alb', alb.DNSName!, 90), customOrigin('site', 'www.example.com', 10), customOrigin('slow-site', 'slow.example.com', 180)]),
      }),
    );
    [ec2, elbv2, cloudFront].forEach((client) => client.destroy());
  }, 60_000);

  afterAll(async () => {
    Object.values(clients ?? {}).forEach((client) => client.destroy());
    process.env = saved;
    await moto?.stop();
  });

  const runWith = async (runId: string, env: Record<string, string>) => {
    const run = (await discoverStep({ runId }, { IDLE_CANARY_BUCKET: REPORTS, AWS_REGION: 'eu-west-1', ...env }, clients)) as InlineRun;
    return { run, discovery: (await readDiscovery(clients.s3, REPORTS, run.discoveryKey)).discovery };
  };

  it('reads no distribution without the setting', async () => {
    // Act
    const { discovery } = await runWith('run-off', {});

    // Assess
    expect(discovery.loadBalancers.map((lb) => lb.type)).toEqual(['application']);
  }, 30_000);

  it('checks the origin on the ALB and lists the public one with its command', async () => {
    // Act
    const { discovery, run } = await runWith('run-cloudfront', { IDLE_CANARY_CLOUDFRONT: 'true' });

    // Assess
    const check = discovery.loadBalancers.find((lb) => lb.type === 'cloudfront')!;
    expect(check).toMatchObject({ idleTimeoutS: 90, backends: [], cloudFront: { originId: 'shop-alb', kind: 'load-balancer', loadBalancer: { name: 'shop', idleTimeoutS: 60 } } });
    expect(discovery.notCovered.map((n) => n.command)).toEqual(['idle-canary probe https://www.example.com:443/ --lb-idle-timeout 10', 'idle-canary probe https://slow.example.com:443/ --lb-idle-timeout 180']);
    expect(run.shards).toEqual([]);
  }, 30_000);

  it('with IDLE_CANARY_PROBE_PUBLIC_ORIGINS, plans the public origin in a shard outside any VPC', async () => {
    // Act
    const { run } = await runWith('run-public', { IDLE_CANARY_CLOUDFRONT: 'true', IDLE_CANARY_PROBE_PUBLIC_ORIGINS: 'true' });

    // Assess
    expect(run.shards).toHaveLength(1);
    expect(run.shards[0].vpcId).toBeUndefined();
    expect(run.shards[0].items.map((item) => [item.loadBalancers, item.job.target, item.job.loadBalancerIdleTimeoutS])).toEqual([
      [[expect.stringMatching(/^cloudfront\/[A-Z0-9]+\/site$/)], { host: 'www.example.com', port: 443, tls: true, path: '/' }, 10],
      [[expect.stringMatching(/^cloudfront\/[A-Z0-9]+\/slow-site$/)], { host: 'slow.example.com', port: 443, tls: true, path: '/' }, 180],
    ]);
  }, 30_000);

  it('with long timeouts on too, keeps the public origin at CloudFront\'s longest keep-alive (180 s) in the probe function outside any VPC, not the long probe (which runs only in VPCs)', async () => {
    // Act
    const { run } = await runWith('run-public-long', { IDLE_CANARY_CLOUDFRONT: 'true', IDLE_CANARY_PROBE_PUBLIC_ORIGINS: 'true', IDLE_CANARY_LONG_TIMEOUTS: 'on' });

    // Assess
    expect(run.long).toEqual([]);
    expect(run.shards.map((shard) => [shard.vpcId, shard.items.map((item) => item.job.loadBalancerIdleTimeoutS)])).toEqual([[undefined, [10, 180]]]);
  }, 30_000);
});
