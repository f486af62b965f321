import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DEMO_BACKENDS, startBackend } from '../../cli/demo/backends';
import type { ShardResult } from '../../lambda/run/types';
import { CACHE } from '../support/cache';
import { lambdaContext } from '../support/lambda-context';
import { ALB } from '../lambda/access-logs/lines';
import { STACK, synth } from './synth';

describe('the bundled Lambda code', () => {
  // A real synth, as `cdk deploy` does it, with every optional function: its assets are the
  // bundles `npm run build` wrote (here `ensureBuilt`, which test/lib/synth.ts runs)
  let built: ReturnType<typeof synth>;
  beforeAll(() => {
    built = synth({ ...STACK, accessLogBuckets: [{ bucketName: 'corp-elb-logs' }] });
  }, 60_000);
  const functions = () => Object.values(built.template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Runtime === 'nodejs24.x');
  const bundleOf = (fn: ReturnType<typeof functions>[number]) => join(built.assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');

  it('deploys every handler as its esbuild bundle from the build, without bundling at synth, and the probe bundle measures a real backend', async () => {
    // Prepare
    const probe = functions().find((f) => f.Properties.VpcConfig !== undefined)!;
    const backend = await startBackend(DEMO_BACKENDS[0]);

    // Act: the probe bundle, loaded as Lambda loads it, probes a short keep-alive backend
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the built bundle as the Lambda runtime does
    const { handler } = require(bundleOf(probe)) as { handler: (event: unknown, context: unknown) => Promise<ShardResult> };
    const output = await handler(
      { runId: 'bundle', shardId: 0, vpcId: STACK.vpcs[0].vpcId, items: [{ key: 'k', loadBalancers: ['web'], job: { loadBalancerIdleTimeoutS: 6, target: { host: '127.0.0.1', port: backend.port, tls: false, path: '/' } } }] },
      lambdaContext(22_000),
    );
    await backend.stop();

    // Assess
    expect(output.results[0].result.phases.keepAlive).toMatchObject({ enforcement: 'eager', verdict: 'fail' });
    expect(functions()).toHaveLength(5);
    for (const fn of functions()) {
      const code = readFileSync(bundleOf(fn), 'utf8');
      // The AWS SDK comes from the runtime; everything else (middy, Powertools, our code) is in the bundle.
      const external = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((name) => !name.startsWith('node:') && !/^[a-z_]+$/.test(name));
      expect(external.every((name) => name.startsWith('@aws-sdk/'))).toBe(true);
    }
    expect(readFileSync(bundleOf(probe), 'utf8')).not.toMatch(/@aws-sdk\//);
  }, 60_000);

  it('the access log bundle counts a gzip ALB object from S3 and publishes its hang-ups', async () => {
    // Prepare: S3 and CloudWatch intercepted; the bundle takes the SDK from node_modules, as from the runtime
    const counter = functions().find((f) => f.Properties.Environment?.Variables?.IDLE_CANARY_CLAIM_STALE_S !== undefined)!;
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([gzipSync(`${ALB.current.replace('2026-11-25T18:00:01.123456Z', new Date().toISOString().replace('Z', '000Z'))}\n`)])) });
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const saved = { ...process.env };
    Object.assign(process.env, counter.Properties.Environment.Variables, { IDLE_CANARY_BUCKET: 'reports' });
    const key = 'AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/123456789012_elasticloadbalancing_eu-west-1_app.k8s-web.50dc6c495c0c9188_20261125T1805Z_10.0.1.5_2jn4f8x1.log.gz';

    // Act
    // Copied inside the project, so that `@aws-sdk/...` resolves to node_modules as to the runtime's SDK
    const local = join(CACHE, 'bundles', 'access-logs');
    mkdirSync(local, { recursive: true });
    copyFileSync(bundleOf(counter), join(local, 'index.js'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the built bundle as the Lambda runtime does
    const { handler } = require(join(local, 'index.js')) as { handler: (event: unknown, context: unknown) => Promise<Array<{ outcome: string }>> };
    const outcomes = await handler({ Records: [{ s3: { bucket: { name: 'corp-elb-logs' }, object: { key, eTag: 'e1' } } }] }, lambdaContext(60_000));
    process.env = saved;

    // Assess
    expect(outcomes.map((o) => o.outcome)).toEqual(['counted']);
    const metrics = cloudWatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    // The stack's default, the lean set: hang-ups only
    expect(metrics.map((d) => [d.MetricName, d.Value, d.Dimensions?.[0].Value])).toEqual([['BackendHangups', 1, 'app/k8s-web/50dc6c495c0c9188']]);
    [s3, cloudWatch].forEach((mock) => mock.restore());
  });
});
