import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_BACKENDS, startBackend } from '../../cli/demo/backends';
import type { ShardResult } from '../../lambda/run/types';
import { lambdaContext } from '../support/lambda-context';
import { STACK, synth } from './synth';

describe('the bundled Lambda code', () => {
  it('bundles every handler with esbuild, without Docker, and the probe bundle measures a real backend', async () => {
    // Prepare: a real synth with bundling, as `cdk deploy` does it
    const { template, assembly } = synth(STACK, { bundle: true });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Runtime === 'nodejs24.x');
    const bundleOf = (fn: (typeof functions)[number]) => join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`, 'index.js');
    const probe = functions.find((f) => f.Properties.VpcConfig !== undefined)!;
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
    for (const fn of functions) {
      const code = readFileSync(bundleOf(fn), 'utf8');
      // The AWS SDK comes from the runtime; everything else (middy, Powertools, our code) is in the bundle.
      const external = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((name) => !name.startsWith('node:') && !/^[a-z_]+$/.test(name));
      expect(external.every((name) => name.startsWith('@aws-sdk/'))).toBe(true);
    }
    expect(readFileSync(bundleOf(probe), 'utf8')).not.toMatch(/@aws-sdk\//);
  }, 60_000);
});
