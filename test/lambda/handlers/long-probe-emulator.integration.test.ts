/**
 * The long-horizon probe's container entry point, run as what the image runs (`node index.js`,
 * the prebuilt bundle) against loopback backends and S3 in moto, alone and within a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { startBackend, type RunningBackend } from '../../../cli/demo/backends';
import { LONG_PROBE_DIR } from '../../../lib/handlers';
import { handler as discover } from '../../../lambda/handlers/discover';
import { probeStep, handler as probe } from '../../../lambda/handlers/probe';
import { handler as publish } from '../../../lambda/handlers/publish';
import type { ProbeResult } from '../../../lambda/probe';
import type { InlineRun, LongProbe, Shard, ShardResult } from '../../../lambda/run/types';
import { getJson, putJson } from '../../../lambda/shared/s3-json';
import type { ScanReport } from '../../../lambda/report/scan';
import { lambdaContext } from '../../support/lambda-context';
import { startMoto, type RunningMoto } from '../../support/moto';
import { mockAccount } from '../discovery/fixtures';

const BUCKET = 'idle-canary-reports';

/** What the task definition sets, as the construct writes it. */
const CONTAINER_ENV = { IDLE_CANARY_BUCKET: BUCKET, IDLE_CANARY_MARGIN_S: '1', IDLE_CANARY_MAX_SOCKETS_PER_TARGET: '16', IDLE_CANARY_MAX_OPEN_SOCKETS: '900' };

/** Runs the image's command (`node index.js` in the bundle's directory) with these overrides; its exit code and output (the task's log). */
function runTask(env: Record<string, string>, moto: RunningMoto, started: (child: ChildProcess) => void = () => undefined): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(LONG_PROBE_DIR, 'index.js')], { cwd: LONG_PROBE_DIR, env: { PATH: process.env.PATH, ...moto.env, ...CONTAINER_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-16_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Bounded: the task's own budget is seconds; a hung process is killed and fails the test.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    started(child);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A result with its timings dropped: what two probes of the same backend must agree on. */
function outcome(result: ProbeResult) {
  return {
    target: result.target,
    verdict: result.verdict,
    horizonS: result.horizonS,
    phases: Object.fromEntries(Object.entries(result.phases).map(([name, p]) => [name, { verdict: p!.verdict, enforcement: p!.enforcement, limitS: p!.limitS === null ? null : Math.round(p!.limitS) }])),
  };
}

describe('the long probe task', () => {
  let moto: RunningMoto;
  let s3: S3Client;
  const backends: RunningBackend[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
    s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const base = { description: 'long probe', headersTimeoutMs: 20_000, connectionsCheckingIntervalMs: 250 };
    // Drops idle keep-alive connections after 1 s (eager), and one that outlasts any horizon here.
    backends.push(await startBackend({ ...base, name: 'short-keepalive', keepAliveTimeoutMs: 1000 }), await startBackend({ ...base, name: 'tuned', keepAliveTimeoutMs: 20_000 }));
  }, 30_000);

  afterAll(async () => {
    process.env = saved;
    await Promise.all(backends.map((b) => b.stop()));
    await moto?.stop();
  });

  it('runs as a plain Node.js process, reads its shard from S3 and writes the result the probe function returns', async () => {
    // Prepare: a shard of both backends behind a 2 s load balancer
    const shard: Shard = {
      runId: 'run-alone',
      shardId: 0,
      vpcId: 'vpc-0a1',
      items: backends.map((b) => ({ key: `127.0.0.1:${b.port}|http|/|plain`, job: { target: { host: '127.0.0.1', port: b.port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 2 }, loadBalancers: [b.spec.name] })),
    };
    await putJson(s3, BUCKET, 'idle-canary/plans/run-alone/long/vpc-0a1.json', shard);

    // Act: the task as the state machine starts it, and the probe function on the same shard
    const [task, fromLambda] = await Promise.all([
      runTask({ IDLE_CANARY_PLAN_KEY: 'idle-canary/plans/run-alone/long/vpc-0a1.json', IDLE_CANARY_RESULT_KEY: 'idle-canary/results/run-alone/long/vpc-0a1.json', IDLE_CANARY_TIME_BUDGET_S: '30' }, moto),
      probeStep(shard, lambdaContext(40_000), CONTAINER_ENV),
    ]);
    const written = await getJson<ShardResult>(s3, BUCKET, 'idle-canary/results/run-alone/long/vpc-0a1.json');

    // Assess: the same shard result, backend by backend
    expect(task.code).toBe(0);
    expect(task.output).toContain('long probe result written');
    expect({ runId: written.runId, shardId: written.shardId, vpcId: written.vpcId, keys: written.results.map((r) => r.key) }).toEqual({ runId: 'run-alone', shardId: 0, vpcId: 'vpc-0a1', keys: shard.items.map((i) => i.key) });
    expect(written.results.map((r) => outcome(r.result))).toEqual(fromLambda.results.map((r) => outcome(r.result)));
    expect(written.results.map((r) => outcome(r.result).phases.keepAlive)).toMatchObject([{ verdict: 'fail', enforcement: 'eager' }, { verdict: 'pass', enforcement: 'none', limitS: null }]);
  }, 90_000);

  it('reads its shard from a file instead when IDLE_CANARY_SHARD_FILE is set, and exits 1 naming a missing variable', async () => {
    // Prepare: the tuned backend behind a 1 s load balancer, in a local file
    const file = join(mkdtempSync(join(tmpdir(), 'long-probe-')), 'shard.json');
    const item = { key: 'tuned', job: { target: { host: '127.0.0.1', port: backends[1].port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 1 }, loadBalancers: ['lb'] };
    writeFileSync(file, JSON.stringify({ runId: 'run-file', shardId: 3, vpcId: 'vpc-0a1', items: [item] }));

    // Act
    const fromFile = await runTask({ IDLE_CANARY_SHARD_FILE: file, IDLE_CANARY_RESULT_KEY: 'idle-canary/results/run-file/long/vpc-0a1.json', IDLE_CANARY_TIME_BUDGET_S: '20' }, moto);
    const missing = await runTask({ IDLE_CANARY_RESULT_KEY: 'idle-canary/results/run-x/long/vpc-0a1.json', IDLE_CANARY_TIME_BUDGET_S: '5' }, moto);

    // Assess: the file's shard probed; with no shard key and no file it says which variable, and writes nothing
    expect(fromFile.code).toBe(0);
    const written = await getJson<ShardResult>(s3, BUCKET, 'idle-canary/results/run-file/long/vpc-0a1.json');
    expect({ shardId: written.shardId, verdicts: written.results.map((r) => [r.key, r.result.verdict]) }).toEqual({ shardId: 3, verdicts: [['tuned', 'pass']] });
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('environment variable IDLE_CANARY_PLAN_KEY is not set');
    await expect(getJson(s3, BUCKET, 'idle-canary/results/run-x/long/vpc-0a1.json')).rejects.toThrow();
  }, 90_000);

  it('ends its probe on SIGTERM (Step Functions stopping the task) and still writes what it has, inconclusive', async () => {
    // Prepare: the tuned backend behind a 20 s load balancer (a 22 s horizon)
    const item = { key: 'tuned', job: { target: { host: '127.0.0.1', port: backends[1].port, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 20 }, loadBalancers: ['lb'] };
    await putJson(s3, BUCKET, 'idle-canary/plans/run-stopped/long/vpc-0a1.json', { runId: 'run-stopped', shardId: 0, vpcId: 'vpc-0a1', items: [item] });

    // Act: stopped once it has started probing
    const task = runTask(
      { IDLE_CANARY_PLAN_KEY: 'idle-canary/plans/run-stopped/long/vpc-0a1.json', IDLE_CANARY_RESULT_KEY: 'idle-canary/results/run-stopped/long/vpc-0a1.json', IDLE_CANARY_TIME_BUDGET_S: '60' },
      moto,
      (child) => setTimeout(() => child.kill('SIGTERM'), 3000),
    );
    const { code } = await task;
    const written = await getJson<ShardResult>(s3, BUCKET, 'idle-canary/results/run-stopped/long/vpc-0a1.json');

    // Assess
    expect(code).toBe(0);
    expect(written.results[0].result.verdict).toBe('inconclusive');
    expect(JSON.stringify(written.results[0].result.phases)).toContain('the run was aborted');
  }, 90_000);

  it('takes part in a run: discover routes one load balancer to Lambda and one to the long probe, and publish judges both', async () => {
    // Prepare: a 2 s ALB whose backend fits a Lambda, and a 3 s one that does not, with the probe function's timeout scaled down to 75 s
    Object.assign(process.env, {
      IDLE_CANARY_VPC_IDS: 'vpc-0a1',
      IDLE_CANARY_BUCKET: BUCKET,
      IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
      IDLE_CANARY_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:idle-canary',
      IDLE_CANARY_LONG_TIMEOUTS: 'on',
      IDLE_CANARY_PROBE_TIMEOUT_S: '75',
    });
    const [shortBackend, tunedBackend] = backends;
    mockAccount(
      {
        alb: [
          { name: 'fits-lambda', idleTimeoutS: 2, targetGroups: [{ name: 'tg-short', port: shortBackend.port, targetType: 'ip' as const, targets: [{ id: '127.0.0.1' }] }] },
          { name: 'needs-fargate', idleTimeoutS: 3, targetGroups: [{ name: 'tg-long', port: tunedBackend.port, targetType: 'ip' as const, targets: [{ id: '127.0.0.1' }] }] },
        ],
      },
      { everyClient: true },
    );
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    mockClient(SNSClient).on(PublishCommand).resolves({});

    // Act 1: discover plans one inline shard for the probe function and one long probe
    const run = (await discover({ runId: 'mixed-run' }, lambdaContext(60_000))) as InlineRun;
    const [long] = run.long as LongProbe[];

    // Act 2: the Parallel state's two branches: the inline Map invokes the probe function, the long Map runs the task with its overrides
    const [shardResults, task] = await Promise.all([
      Promise.all(run.shards.map((shard) => probe(shard, lambdaContext(81_000)) as Promise<ShardResult>)),
      runTask({ IDLE_CANARY_PLAN_KEY: long.planKey, IDLE_CANARY_RESULT_KEY: long.resultKey, IDLE_CANARY_TIME_BUDGET_S: JSON.stringify(long.budgetS) }, moto),
    ]);

    // Act 3: publish gets the merged branches
    const summary = await publish({ ...run, shardResults, longResults: [long] }, lambdaContext(60_000));
    const report = await getJson<ScanReport>(s3, BUCKET, summary.report!);

    // Assess
    expect(run.shards.map((s) => s.items.map((i) => i.loadBalancers))).toEqual([[['fits-lambda']]]);
    expect(long).toMatchObject({ vpcId: 'vpc-0a1', planKey: 'idle-canary/plans/mixed-run/long/vpc-0a1.json', resultKey: 'idle-canary/results/mixed-run/long/vpc-0a1.json', items: 1, deferred: 0, budgetS: 60 });
    expect(long.timeoutS).toBe(60 + 180 + 60);
    expect(task.code).toBe(0);
    expect(report.loadBalancers.map((lb) => [lb.name, lb.verdict])).toEqual([['fits-lambda', 'fail'], ['needs-fargate', 'pass']]);
    expect(summary).toMatchObject({ loadBalancers: 2, failing: ['fits-lambda'], shardFailureCount: 0 });
    const names = cloudWatch.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData!.flatMap((d) => d.Dimensions?.map((x) => x.Value) ?? []));
    // ALBs: each series is under the identity AWS gives it, app/NAME/ID
    expect(names).toEqual(expect.arrayContaining(['app/fits-lambda/0123456789abcdef', 'app/needs-fargate/0123456789abcdef']));
  }, 120_000);

  it('counts the backends of a long probe that wrote no result as probe errors, never a pass', async () => {
    // Act: the run above, its task having failed (the Map's catch) before writing
    const run = (await discover({ runId: 'lost-run' }, lambdaContext(60_000))) as InlineRun;
    const shardResults = await Promise.all(run.shards.map((shard) => probe(shard, lambdaContext(81_000)) as Promise<ShardResult>));
    const summary = await publish({ ...run, shardResults, longResults: [{ vpcId: 'vpc-0a1', error: { Error: 'States.Timeout', Cause: 'the task timed out' } }] }, lambdaContext(60_000));
    const report = await getJson<ScanReport>(s3, BUCKET, summary.report!);

    // Assess
    expect(summary.shardFailures).toEqual([{ shardId: 0, vpcId: 'vpc-0a1', error: 'States.Timeout: the task timed out' }]);
    expect(report.loadBalancers.find((lb) => lb.name === 'needs-fargate')!.verdict).toBe('inconclusive');
  }, 120_000);
});
