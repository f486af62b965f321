/**
 * Step Functions carries at most 256 KiB per state, and `States.DataLimitExceeded` cannot be
 * caught. These runs drive the worst cases through the real handlers, passing each handler's
 * output on as the state machine does, and print every state's size.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProbePlanItem } from '../../../lambda/discovery';
import { handler as discover } from '../../../lambda/handlers/discover';
import { handler as probe } from '../../../lambda/handlers/probe';
import { handler as publish } from '../../../lambda/handlers/publish';
import { targetsPerInvocation } from '../../../lambda/run/shards';
import { FAILURE_MAX_BYTES, inlineStateBound, jsonBytes, RESULT_MAX_BYTES, STATE_LIMIT_BYTES } from '../../../lambda/run/limits';
import type { DiscoverOutput, DistributedRun, InlineRun, ShardFailure, ShardResult, VpcResults } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { mockAccount, type ClassicSpec } from '../discovery/fixtures';

const VPC = 'vpc-0a1';
const EXECUTION = { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:idle-canary-run', executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:idle-canary-run:run', startTime: '2026-11-30T17:00:00.000Z' };
const ENV = {
  AWS_REGION: 'eu-west-1',
  IDLE_CANARY_VPC_IDS: VPC,
  IDLE_CANARY_BUCKET: 'idle-canary-reports',
  IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
  IDLE_CANARY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:idle-canary',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/**
 * A backend that answers with the longest headers a server might send (each 4,000
 * characters) and drops idle connections after 1 s: results as large as a real one gets.
 */
async function verboseBackend(): Promise<Server> {
  const long = 'x'.repeat(4000);
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { Server: `verbose/${long}`, 'X-Powered-By': long, 'Keep-Alive': `timeout=1, max=1000, ${long}`, 'Content-Length': '2' });
    response.end('ok');
  });
  server.keepAliveTimeout = 1000;
  server.headersTimeout = 1500;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Sizes of the states of one run, printed and checked against the limit. */
class States {
  readonly sizes: Array<[string, number]> = [];
  add(state: string, value: unknown): void {
    this.sizes.push([state, jsonBytes(value)]);
  }
  print(title: string): void {
    console.log(`${title}\n${this.sizes.map(([state, bytes]) => `  ${state.padEnd(58)} ${String(bytes).padStart(7)} bytes`).join('\n')}\n  limit ${STATE_LIMIT_BYTES}`);
  }
}

const alb = (name: string, ports: readonly number[]) => ({ name, idleTimeoutS: 2, targetGroups: [{ name: `${name}-tg`, port: ports[0], targetType: 'ip' as const, targets: ports.map((port) => ({ id: '127.0.0.1', port })) }] });

describe('state sizes in the worst cases', () => {
  const saved = { ...process.env };
  const servers: Server[] = [];
  let ports: number[];
  const sfn = mockClient(SFNClient);
  const cloudWatch = mockClient(CloudWatchClient);
  const sns = mockClient(SNSClient);

  beforeAll(async () => {
    Object.assign(process.env, ENV);
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXECUTION.executionArn, stateMachineArn: EXECUTION.stateMachineArn, name: 'run', status: 'RUNNING', startDate: new Date(EXECUTION.startTime) }] });
    cloudWatch.on(PutMetricDataCommand).resolves({});
    sns.on(PublishCommand).resolves({});
    servers.push(...(await Promise.all(Array.from({ length: 60 }, verboseBackend))));
    ports = servers.map((s) => (s.address() as AddressInfo).port);
  });
  afterAll(async () => {
    process.env = saved;
    [sfn, cloudWatch, sns].forEach((mock) => mock.restore());
    await Promise.all(
      servers.map((s) => {
        s.closeAllConnections();
        return new Promise((resolve) => s.close(resolve));
      }),
    );
  });

  /** Discovers an account with one ALB in front of `count` of the verbose backends. */
  async function discoverBackends(count: number, extra: { classic?: ClassicSpec[] } = {}) {
    // Pages of 400, as the real APIs return them (discovery asks for 400)
    const account = mockAccount({ alb: [alb('verbose', ports.slice(0, count))], pageSize: 400, ...extra }, { everyClient: true });
    const bucket = inMemoryBucket();
    const run = (await discover({ runId: 'run', execution: EXECUTION }, lambdaContext(60_000))) as DiscoverOutput;
    return { run, bucket, restore: () => [account.elb, account.elbv2, account.ec2, bucket.s3].forEach((mock) => mock.restore()) };
  }

  it('keeps the largest inline run, and the same run with every shard failed, under the limit', async () => {
    // Prepare: the most backends discover still sends inline
    let count = ports.length;
    let found = await discoverBackends(count);
    while (found.run.mode !== 'inline') {
      found.restore();
      found = await discoverBackends(--count);
    }
    const run = found.run as InlineRun;
    const states = new States();
    states.add(`DiscoverLoadBalancers output (${count} backends)`, run);

    // Act: each shard probed for real, as the Map's iterations
    const shardResults = await Promise.all(run.shards.map((shard) => probe(shard, lambdaContext(25_000)) as Promise<ShardResult>));
    run.shards.forEach((shard, i) => {
      states.add(`ProbeShards iteration ${i} input`, shard);
      states.add(`ProbeShards iteration ${i} output`, shardResults[i]);
    });
    const publishInput = { ...run, shardResults };
    states.add('PublishResults input (after the Map)', publishInput);
    const summary = await publish(publishInput, lambdaContext(60_000));
    states.add('PublishResults output', summary);
    // The same run with every shard failed with the longest cause Step Functions passes
    const failures: ShardFailure[] = run.shards.map((shard) => ({ shardId: shard.shardId, vpcId: shard.vpcId, error: { Error: 'Lambda.Unknown', Cause: 'c'.repeat(FAILURE_MAX_BYTES - 256) } }));
    states.add('PublishResults input, every shard failed', { ...run, shardResults: failures });
    const failedSummary = await publish({ ...run, shardResults: failures }, lambdaContext(60_000));
    states.add('PublishResults output, every shard failed', failedSummary);
    console.log(`discover's upper bound of the inline state (every result at ${RESULT_MAX_BYTES} bytes, or failed): ${inlineStateBound(run)} bytes`);
    states.print(`Inline run at its limit: ${count} backends sending 4,000-character headers`);
    found.restore();

    // Assess
    expect(count).toBeGreaterThan(40);
    expect(count + 1).toBeLessThanOrEqual(ports.length);
    for (const result of shardResults.flatMap((r) => r.results)) expect(jsonBytes(result)).toBeLessThanOrEqual(RESULT_MAX_BYTES);
    expect(inlineStateBound(run)).toBeLessThanOrEqual(STATE_LIMIT_BYTES);
    expect(inlineStateBound(run)).toBeGreaterThanOrEqual(Math.max(...states.sizes.map(([, bytes]) => bytes)));
    expect(shardResults.flatMap((r) => r.results).some((r) => r.result.server?.server?.endsWith('...'))).toBe(true);
    for (const [state, bytes] of states.sizes) expect({ state, fits: bytes <= STATE_LIMIT_BYTES }).toEqual({ state, fits: true });
  }, 120_000);

  it('sends one more backend through S3, with batches and outputs under the limit', async () => {
    // Prepare: every verbose backend, more than fits inline
    const { run, bucket, restore } = await discoverBackends(ports.length);
    const states = new States();
    states.add(`DiscoverLoadBalancers output (${ports.length} backends)`, run);
    expect(run.mode).toBe('distributed');
    const distributed = run as DistributedRun;

    // Act: the Distributed Map's batches (one invocation's targets), probed for real
    const items = JSON.parse(bucket.objects.get(distributed.plans[0].key)!) as ProbePlanItem[];
    const batches = [items.slice(0, targetsPerInvocation()), items.slice(targetsPerInvocation())];
    const outputs = await Promise.all(batches.map((Items) => probe({ Items, BatchInput: { runId: run.runId, vpcId: VPC } }, lambdaContext(25_000)) as Promise<ShardResult>));
    batches.forEach((Items, i) => {
      states.add(`Probe batch ${i} input (${Items.length} items)`, { Items, BatchInput: { runId: run.runId, vpcId: VPC } });
      states.add(`Probe batch ${i} output`, outputs[i]);
    });
    const prefix = `idle-canary/results/${VPC}`;
    bucket.objects.set(`${prefix}/SUCCEEDED_0.json`, JSON.stringify(outputs.map((o) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(o) }))));
    bucket.objects.set(`${prefix}/manifest.json`, JSON.stringify({ ResultFiles: { SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json` }], FAILED: [], PENDING: [] } }));
    const vpcResults: VpcResults[] = [{ vpcId: VPC, manifest: { Bucket: ENV.IDLE_CANARY_BUCKET, Key: `${prefix}/manifest.json` } }];
    const publishInput = { ...distributed, vpcResults };
    states.add('PublishResults input (after the Parallel)', publishInput);
    const summary = await publish(publishInput, lambdaContext(60_000));
    states.add('PublishResults output', summary);
    states.print(`Distributed run: ${ports.length} backends sending 4,000-character headers`);
    restore();

    // Assess
    expect(summary).toMatchObject({ loadBalancers: 1, shardFailures: [] });
    for (const [state, bytes] of states.sizes) expect({ state, fits: bytes <= STATE_LIMIT_BYTES }).toEqual({ state, fits: true });
  }, 120_000);

  it('hands on only what is in scope from an account of 2,000 load balancers', async () => {
    // Prepare: 2,000 Classic ELBs in another VPC, and 3 backends in the configured one
    const elsewhere: ClassicSpec[] = Array.from({ length: 2000 }, (_, i) => ({
      name: `k8s-elsewhere-${String(i).padStart(4, '0')}-a1b2c3d4e5f6`,
      vpcId: 'vpc-0ff',
      idleTimeoutS: 60,
      listeners: [['HTTP', 80, 'HTTP', 30080]],
      healthCheck: 'HTTP:30080/healthz',
      instances: [{ id: `i-${String(i).padStart(17, '0')}`, ip: '10.1.0.1' }],
    }));
    const { run, bucket, restore } = await discoverBackends(3, { classic: elsewhere });
    const states = new States();
    const inline = run as InlineRun;
    states.add('DiscoverLoadBalancers output', run);

    // Act
    const shardResults = await Promise.all(inline.shards.map((shard) => probe(shard, lambdaContext(25_000)) as Promise<ShardResult>));
    const publishInput = { ...inline, shardResults };
    states.add('PublishResults input (after the Map)', publishInput);
    states.add('PublishResults output', await publish(publishInput, lambdaContext(60_000)));
    const discovery = JSON.parse(bucket.objects.get(inline.discoveryKey)!);
    states.add('(the discovery, in S3, not in any state)', discovery);
    states.print('2,000 load balancers outside the configured VPC, 3 backends inside');
    restore();

    // Assess
    expect(inline.mode).toBe('inline');
    expect(discovery.excluded).toHaveLength(2000);
    expect(states.sizes[0][1]).toBeLessThan(5_000);
    for (const [state, bytes] of states.sizes.slice(0, 3)) expect({ state, fits: bytes <= STATE_LIMIT_BYTES }).toEqual({ state, fits: true });
  }, 180_000);
});
