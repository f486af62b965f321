/**
 * The run state machine of a stack with `probePublicOrigins`, executed: the definition of a real
 * `cdk synth` run by `aws-local-stepfunctions`, each Lambda task calling the real bundled handler
 * (`dist/handlers/*`) in-process, the AWS calls going to moto (S3, Step Functions) and real
 * backends on loopback. A run request naming two targets, one without a VPC: each shard reaches
 * its own probe function, the one outside any VPC included.
 */
import '../support/with-resolvers';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { join } from 'node:path';
import { startBackend, type RunningBackend } from '../../cli/demo/backends';
import { ENV } from '../../lambda/handlers/config';
import type { ScanReportJson } from '../../lambda/report/scan';
import { getJson } from '../../lambda/shared/s3-json';
import { HANDLERS_DIR, type HandlerName } from '../../lib/handlers';
import { lambdaContext } from '../support/lambda-context';
import { startMoto, useMotoOnly, type RunningMoto } from '../support/moto';
import { STACK, VPC, stateMachineDefinition, synth } from './synth';

type Json = Parameters<StateMachine['run']>[0];

/** A bundled handler, called as the Lambda runtime calls it, with `timeoutS` left. */
function bundled(name: HandlerName, timeoutS: number): (input: Json) => Promise<Json> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, as the runtime loads it
  const { handler } = require(join(HANDLERS_DIR, name, 'index.js')) as { handler: (event: unknown, context: unknown) => Promise<Json> };
  return (input) => handler(input, lambdaContext(timeoutS * 1000));
}

describe('a stack with probePublicOrigins, its run executed', () => {
  const saved = { ...process.env };
  const bucket = 'idle-canary-outside-vpc';
  let moto: RunningMoto;
  let backends: RunningBackend[];
  let machine: StateMachine;
  let stateMachineArn: string;

  beforeAll(async () => {
    // Prepare: two backends that keep idle connections 20 s, the emulator, the stack's definition and variables
    const spec = { description: 'outside vpc', headersTimeoutMs: 20_000, keepAliveTimeoutMs: 20_000 };
    backends = await Promise.all([startBackend({ ...spec, name: 'public' }), startBackend({ ...spec, name: 'green' })]);
    moto = await startMoto();
    useMotoOnly(moto);
    const { template } = synth({ ...STACK, cloudFront: true, probePublicOrigins: true });
    const definition = stateMachineDefinition(template);
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    s3.destroy();
    const sfn = new SFNClient({});
    stateMachineArn = (await sfn.send(new CreateStateMachineCommand({ name: 'IdleCanaryRun', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/idle-canary-run' }))).stateMachineArn!;
    sfn.destroy();
    // The template's plain variables as written; its references, the emulator's resources (or a well-formed stand-in)
    const references: Record<string, string> = { [ENV.bucket]: bucket, [ENV.stateMachineArn]: stateMachineArn, [ENV.probeSecurityGroups]: `${VPC.vpcId}=sg-0a1b2c3d4e5f60718`, [ENV.topicArn]: '', [ENV.dashboardName]: 'idle-canary' };
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).flatMap((fn) => Object.entries((fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>));
    Object.assign(process.env, Object.fromEntries(variables.map(([key, value]) => [key, typeof value === 'string' ? value : references[key]])), { POWERTOOLS_LOG_LEVEL: 'SILENT' });
    machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  }, 180_000);

  afterAll(async () => {
    process.env = saved;
    await Promise.all(backends.map((b) => b.stop()));
    await moto?.stop();
  });

  it('probes a target without a VPC from the probe function outside any VPC, not NoProbeOutsideVpc, and the other from its VPC', async () => {
    // Prepare: one target behind a 2 s front in the stack's VPC, one on the internet (no vpcId)
    const targets: Json[] = [
      { host: '127.0.0.1', port: backends[0].port, idleTimeoutS: 2, name: 'public' },
      { host: '127.0.0.1', port: backends[1].port, idleTimeoutS: 2, vpcId: VPC.vpcId, name: 'green' },
    ];
    const input: Record<string, Json> = { source: 'operator', selection: { targets } };
    const called: string[] = [];
    const task = (state: string, name: HandlerName, timeoutS: number) => {
      const run = bundled(name, timeoutS);
      return async (event: Json) => (called.push(state), run(event));
    };

    // Act
    const execution = machine.run(input, {
      context: {
        Execution: { Id: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run-outside`, Name: 'run-outside', StartTime: new Date().toISOString(), Input: input },
        StateMachine: { Id: stateMachineArn, Name: 'IdleCanaryRun' },
      },
      overrides: {
        taskResourceLocalHandlers: {
          DiscoverLoadBalancers: task('DiscoverLoadBalancers', 'discover', 900),
          'Probe outside any VPC': task('Probe outside any VPC', 'probe', 900),
          [`Probe ${VPC.vpcId}`]: task(`Probe ${VPC.vpcId}`, 'probe', 900),
          PublishResults: task('PublishResults', 'publish', 300),
        },
      },
    });
    const states: string[] = [];
    const events = (async () => {
      for await (const event of execution.eventLogs) if (event.type === 'StateExited') states.push(event.state.name);
    })();
    const output = (await execution.result) as { report: string };
    await events;
    const s3 = new S3Client({});
    const report = await getJson<ScanReportJson>(s3, bucket, output.report);
    s3.destroy();

    // Assess
    console.log(`run-outside: states ${states.join(' -> ')}; publish ${JSON.stringify(output)}`);
    expect(called.sort()).toEqual(['DiscoverLoadBalancers', 'Probe outside any VPC', `Probe ${VPC.vpcId}`, 'PublishResults'].sort());
    expect(states).not.toContain('NoProbeOutsideVpc');
    expect(states).not.toContain('ShardFailedOutsideVpc');
    expect(report.loadBalancers.map((lb) => [lb.name, lb.vpcId, lb.verdict, lb.probeErrors])).toEqual(
      expect.arrayContaining([
        ['public', '-', 'pass', 0],
        ['green', VPC.vpcId, 'pass', 0],
      ]),
    );
    expect(output).toMatchObject({ runId: 'run-outside', selection: '2 target(s)', shardFailureCount: 0, metricsPublished: 0 });
  }, 120_000);
});
