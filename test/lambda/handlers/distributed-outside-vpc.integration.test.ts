import type { ProbePlanItem } from '../../../lambda/discovery';
import { handler as discover } from '../../../lambda/handlers/discover';
import { handler as probe } from '../../../lambda/handlers/probe';
import { handler as publish } from '../../../lambda/handlers/publish';
import type { DistributedRun, ShardResult, VpcResults } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { wholeRunSetting } from './env';

describe('a large run of a stack with the probe function outside any VPC (probePublicOrigins)', () => {
  const setting = wholeRunSetting({ IDLE_CANARY_VPC_IDS: 'vpc-0a1b2c3d', IDLE_CANARY_INLINE_MAX_BACKENDS: '1', IDLE_CANARY_CLOUDFRONT: 'true', IDLE_CANARY_PROBE_PUBLIC_ORIGINS: 'true' });

  it('writes the plan outside any VPC, whose batches (without vpcId) are probed and judged like a VPC\'s', async () => {
    // Prepare: two targets above an inline limit of 1, one in the VPC, one on the internet
    const [inVpc, outside] = await setting.start('outside vpc', { name: 'green' }, { name: 'public' });
    const targets = [
      { host: '127.0.0.1', port: inVpc.port, idleTimeoutS: 2, vpcId: 'vpc-0a1b2c3d', name: 'green' },
      { host: '127.0.0.1', port: outside.port, idleTimeoutS: 2, name: 'public' },
    ];
    const { s3, objects } = inMemoryBucket();

    // Act: discover; each plan's map gives its items to the probe as one batch (the outside one with no vpcId) and writes its result files; publish
    const run = (await discover({ runId: 'big-outside', input: { selection: { targets } } }, lambdaContext(60_000))) as DistributedRun;
    const vpcResults: VpcResults[] = await Promise.all(
      run.plans.map(async ({ vpcId, key }) => {
        const where = vpcId === undefined ? {} : { vpcId };
        const output = (await probe({ Items: JSON.parse(objects.get(key)!) as ProbePlanItem[], BatchInput: { runId: run.runId, ...where } }, lambdaContext(30_000))) as ShardResult;
        const files = { manifest: `idle-canary/results/${vpcId ?? 'outside'}/manifest.json`, succeeded: `idle-canary/results/${vpcId ?? 'outside'}/SUCCEEDED_0.json` };
        objects.set(files.succeeded, JSON.stringify([{ Status: 'SUCCEEDED', Output: JSON.stringify(output) }]));
        objects.set(files.manifest, JSON.stringify({ ResultFiles: { SUCCEEDED: [{ Key: files.succeeded }], FAILED: [], PENDING: [] } }));
        return { ...where, manifest: { Bucket: 'idle-canary-reports', Key: files.manifest } };
      }),
    );
    const summary = await publish({ ...run, vpcResults }, lambdaContext(60_000));

    // Assess
    expect(run.plans).toEqual([
      { vpcId: 'vpc-0a1b2c3d', key: 'idle-canary/plans/big-outside/vpc-0a1b2c3d.json', items: 1, deferred: 0 },
      { key: 'idle-canary/plans/big-outside/outside-vpc.json', items: 1, deferred: 0 },
    ]);
    expect(summary).toMatchObject({ runId: 'big-outside', loadBalancers: 2, verdict: 'pass', shardFailureCount: 0 });
    s3.restore();
  }, 30_000);

  it('writes an empty plan outside any VPC when nothing is probed from there, so that its map reads an empty list rather than fails', async () => {
    // Prepare: the stack's variables, and two targets in the VPC (discover connects to none)
    await setting.start('outside vpc');
    const targets = [1, 2].map((n) => ({ host: '127.0.0.1', port: 8080 + n, idleTimeoutS: 2, vpcId: 'vpc-0a1b2c3d', name: `green-${n}` }));
    const { s3, objects } = inMemoryBucket();

    // Act
    const run = (await discover({ runId: 'big-inside', input: { selection: { targets } } }, lambdaContext(60_000))) as DistributedRun;

    // Assess
    expect(run.plans.map((p) => [p.vpcId, p.key, p.items])).toEqual([
      ['vpc-0a1b2c3d', 'idle-canary/plans/big-inside/vpc-0a1b2c3d.json', 2],
      [undefined, 'idle-canary/plans/big-inside/outside-vpc.json', 0],
    ]);
    expect(objects.get('idle-canary/plans/big-inside/outside-vpc.json')).toBe('[]');
    s3.restore();
  }, 30_000);
});
