import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { ProbePlanItem } from '../../../lambda/discovery';
import { handler as discover } from '../../../lambda/handlers/discover';
import { handler as probe } from '../../../lambda/handlers/probe';
import { handler as publish } from '../../../lambda/handlers/publish';
import type { DistributedRun, ShardResult, VpcResults } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { mockAccount } from '../discovery/fixtures';
import { MONITOR_ENV, wholeRunSetting } from './env';

const BUCKET = MONITOR_ENV.IDLE_CANARY_BUCKET;

describe('a large run through S3 and Distributed Maps', () => {
  const setting = wholeRunSetting({ IDLE_CANARY_VPC_IDS: 'vpc-0a1,vpc-0b2', IDLE_CANARY_INLINE_MAX_BACKENDS: '1', IDLE_CANARY_METRICS: 'detailed' });

  it('plans to S3, probes batch by batch, and publishes from the written results, counting a failed batch', async () => {
    // Prepare: three backends behind one ALB, above an inline limit of 1
    const backends = await setting.start('distributed', { name: 'lazy', lazyHeadersTimeoutMs: 2000 }, { name: 'tuned' }, { name: 'tuned-2' });
    const account = mockAccount(
      { alb: [{ name: 'big', idleTimeoutS: 3, targetGroups: backends.map((b, i) => ({ name: `tg-${i}`, port: b.port, targetType: 'ip' as const, targets: [{ id: '127.0.0.1' }] })) }] },
      { everyClient: true },
    );
    const { s3, objects } = inMemoryBucket();
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const sns = mockClient(SNSClient).on(PublishCommand).resolves({});

    // Act 1: discover writes the discovery and one plan per configured VPC
    const run = (await discover({ runId: 'big-run' }, lambdaContext(60_000))) as DistributedRun;

    // Act 2: each VPC's Distributed Map reads its plan, batches 2 items, invokes the probe, writes results
    // The batch that fails is one without the lazy backend, wherever its port sorts in the plan.
    const vpcResults: VpcResults[] = [];
    const lost: Array<{ items: number }> = [];
    for (const plan of run.plans) {
      const items = JSON.parse(objects.get(plan.key)!) as ProbePlanItem[];
      const batches = Array.from({ length: Math.ceil(items.length / 2) }, (_, i) => items.slice(2 * i, 2 * i + 2));
      const failing = batches.findIndex((batch) => batch.every((item) => item.job.target.port !== backends[0].port));
      if (failing !== -1) lost.push({ items: batches[failing].length });
      const children = await Promise.all(
        batches.map(async (Items, i) => {
          if (i === failing) return { Status: 'FAILED', Error: 'Lambda.Unknown', Cause: 'The function ran out of memory' };
          const output = (await probe({ Items, BatchInput: { runId: run.runId, vpcId: plan.vpcId } }, lambdaContext(30_000))) as ShardResult;
          return { Status: 'SUCCEEDED', Output: JSON.stringify(output) };
        }),
      );
      const prefix = `idle-canary/results/${plan.vpcId}`;
      objects.set(`${prefix}/SUCCEEDED_0.json`, JSON.stringify(children.filter((c) => c.Status === 'SUCCEEDED')));
      objects.set(`${prefix}/FAILED_0.json`, JSON.stringify(children.filter((c) => c.Status === 'FAILED')));
      objects.set(`${prefix}/manifest.json`, JSON.stringify({ DestinationBucket: BUCKET, ResultFiles: { SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json` }], FAILED: [{ Key: `${prefix}/FAILED_0.json` }], PENDING: [] } }));
      vpcResults.push({ vpcId: plan.vpcId!, manifest: { Bucket: BUCKET, Key: `${prefix}/manifest.json` } });
    }

    // Act 3: publish reads it all back
    const summary = await publish({ ...run, vpcResults }, lambdaContext(60_000));

    // Assess
    expect(run).toMatchObject({ mode: 'distributed', discoveryKey: 'idle-canary/plans/big-run/discovery.json' });
    expect(run.plans).toEqual([
      { vpcId: 'vpc-0a1', key: 'idle-canary/plans/big-run/vpc-0a1.json', items: 3, deferred: 0 },
      { vpcId: 'vpc-0b2', key: 'idle-canary/plans/big-run/vpc-0b2.json', items: 0, deferred: 0 },
    ]);
    expect(lost).toHaveLength(1);
    // A failed child is numbered by its place in the result files, after the succeeded one.
    expect(summary).toMatchObject({ runId: 'big-run', loadBalancers: 1, failing: ['big'], shardFailures: [{ shardId: 1, vpcId: 'vpc-0a1', error: 'Lambda.Unknown: The function ran out of memory' }] });
    const datums = cloudWatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(datums.filter((d) => ['BackendsProbed', 'ProbeErrors'].includes(d.MetricName!)).map((d) => [d.MetricName, d.Value])).toEqual([
      ['BackendsProbed', 3 - lost[0].items],
      ['ProbeErrors', lost[0].items],
    ]);
    expect(objects.has('idle-canary/latest.json')).toBe(true);
    [account.elb, account.elbv2, account.ec2, s3, cloudWatch, sns].forEach((mock) => mock.restore());
  }, 30_000);
});
