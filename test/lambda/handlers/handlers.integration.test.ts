import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DEMO_BACKENDS, startBackend } from '../../../cli/demo/backends';
import { handler as discover } from '../../../lambda/handlers/discover';
import { handler as probe } from '../../../lambda/handlers/probe';
import { handler as digest } from '../../../lambda/handlers/digest';
import { handler as publish } from '../../../lambda/handlers/publish';
import type { InlineRun, ShardFailure, ShardResult } from '../../../lambda/run/types';
import { inMemoryBucket } from '../../support/in-memory-bucket';
import { lambdaContext } from '../../support/lambda-context';
import { mockAccount } from '../discovery/fixtures';
import { MONITOR_ENV, wholeRunSetting } from './env';


/** The reports bucket with the run's discovery and `latest.json` (`null`: no run stored yet). */
function mockReports(latest: unknown, discovery?: { runId: string; value: unknown }) {
  return inMemoryBucket({
    ...(latest === null ? {} : { 'idle-canary/latest.json': latest }),
    ...(discovery ? { [discoveryKey(discovery.runId)]: discovery.value } : {}),
  }).s3;
}

const discoveryKey = (runId: string) => `idle-canary/plans/${runId}/discovery.json`;

describe('handlers through middy', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, MONITOR_ENV, { POWERTOOLS_LOG_LEVEL: 'SILENT' }));
  afterAll(() => {
    process.env = saved;
  });

  it.each([
    ['discover', () => discover({ runId: 42 }, lambdaContext(60_000)), 'discover event: field "runId" must be a non-empty string, got 42'],
    ['probe', () => probe({ runId: 'r', shardId: 0, vpcId: 'vpc-0a1', items: [{ key: 'k', loadBalancers: ['a'], job: { loadBalancerIdleTimeoutS: 60, target: { host: '10.0.0.1', port: 'http', tls: false, path: '/' } } }] }, lambdaContext(60_000)), 'probe event: field "items[0].job.target.port" must be a whole number from 1 to 65535, got "http"'],
    ['publish', () => publish({ runId: 'r', startedAt: '2026-11-24T10:15:00Z', shards: [], shardResults: [] }, lambdaContext(60_000)), 'publish event: field "discoveryKey" must be a non-empty string, got nothing'],
  ])('the %s handler rejects a malformed event with an error naming the field', async (_name, invoke, message) => {
    // Act & Assess
    await expect(invoke()).rejects.toThrow(message);
  });

  it('probe returns inconclusive, in time, when the invocation has too little time left for the idle timeout', async () => {
    // Prepare: a healthy backend behind a 60 s load balancer, 12 s left in the invocation
    const backend = await startBackend(DEMO_BACKENDS[3]);
    const shard = { runId: 'r', shardId: 0, vpcId: 'vpc-0a1', items: [{ key: 'k', loadBalancers: ['web'], job: { loadBalancerIdleTimeoutS: 60, target: { host: '127.0.0.1', port: backend.port, tls: false, path: '/' } } }] };
    const started = performance.now();

    // Act
    const output = (await probe(shard, lambdaContext(12_000))) as ShardResult;

    // Assess: 2 s of budget (12 s minus the 10 s reserve); returned before the invocation's 12 s
    // ran out, or Lambda would have killed it and lost the result (a bound on correctness, not speed)
    await backend.stop();
    expect((performance.now() - started) / 1000).toBeLessThan(12);
    const [{ result }] = output.results;
    expect(result.verdict).toBe('inconclusive');
    expect(result.phases.preRequest?.reason).toMatch(/^connections were held for (1|0\.99\d) s, less than the load balancer idle timeout plus margin \(61 s\)$/);
  });

  it('publish still judges and publishes when a shard failed, counting its backends as probe errors', async () => {
    // Prepare: one shard's results, one shard that timed out
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const sns = mockClient(SNSClient).on(PublishCommand).resolves({});
    const loadBalancer = (name: string, host: string) => ({ name, type: 'classic', vpcId: 'vpc-0a1', idleTimeoutS: 3, backends: [{ id: `${host}:80`, target: { host, port: 80, tls: false, path: '/' }, proxyProtocol: false }], backendsNotSampled: 0, skipped: [] });
    const item = (name: string, host: string) => ({ key: `${host}:80|http|/|plain`, job: { target: { host, port: 80, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 3 }, loadBalancers: [name] });
    const passing = { limitS: null, survivedS: 4, failedS: null, enforcement: 'none', closedWith: null, headroomS: 1, verdict: 'pass', sockets: [] };
    const s3 = mockReports(null, { runId: 'run-1', value: { region: 'eu-west-1', loadBalancers: [loadBalancer('ok', '10.0.0.1'), loadBalancer('lost', '10.0.0.2')], notCovered: [], excluded: [], apiCalls: 9 } });
    const event = {
      runId: 'run-1',
      startedAt: '2026-11-24T10:15:00.000Z',
      discoveryKey: discoveryKey('run-1'),
      shards: [
        { runId: 'run-1', shardId: 0, vpcId: 'vpc-0a1', items: [item('ok', '10.0.0.1')] },
        { runId: 'run-1', shardId: 1, vpcId: 'vpc-0a1', items: [item('lost', '10.0.0.2')] },
      ],
      shardResults: [
        { runId: 'run-1', shardId: 0, vpcId: 'vpc-0a1', results: [{ key: '10.0.0.1:80|http|/|plain', result: { target: { host: '10.0.0.1', port: 80, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 3, horizonS: 4, phases: { preRequest: passing, keepAlive: passing }, verdict: 'pass', elapsedS: 4, socketsUsed: 10 } }] },
        { shardId: 1, vpcId: 'vpc-0a1', error: { Error: 'States.Timeout', Cause: 'Task timed out after 900.00 seconds' } } satisfies ShardFailure,
      ],
    };

    // Act
    const summary = await publish(event, lambdaContext(60_000));

    // Assess
    expect(summary).toEqual({
      runId: 'run-1',
      verdict: 'inconclusive',
      loadBalancers: 2,
      failing: [],
      failingCount: 0,
      shardFailures: [{ shardId: 1, vpcId: 'vpc-0a1', error: 'States.Timeout: Task timed out after 900.00 seconds' }],
      shardFailureCount: 1,
      metricsPublished: 5, // the lean set: ok's headroom (none for lost, nothing measured), and 4 for the fleet
      metricsFailed: 0,
      report: 'idle-canary/runs/run-1.json',
      changes: 0,
      notified: false,
    });
    const datums = cloudWatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    const fleet = (name: string) => datums.find((d) => d.MetricName === name && d.Dimensions === undefined)?.Value;
    expect([fleet('FleetProbeErrors'), fleet('LoadBalancersInconclusive'), fleet('RunCompleted')]).toEqual([1, 1, 1]);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'idle-canary/runs/run-1.json',
      'idle-canary/runs/run-1.md',
      'idle-canary/runs/run-1.html',
      'idle-canary/latest.md',
      'idle-canary/latest.html',
      'idle-canary/latest.json',
    ]);
    // The first run has nothing to compare with: no notification
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    [cloudWatch, s3, sns].forEach((mock) => mock.restore());
  });

  it('publish notifies the topic once when a verdict changed since the stored run, and the digest sends the state', async () => {
    // Prepare: the previous run passed; this run's backend fails its keep-alive at 5 s
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const sns = mockClient(SNSClient).on(PublishCommand).resolves({});
    const lb = { name: 'web', type: 'classic', vpcId: 'vpc-0a1', idleTimeoutS: 60, backends: [{ id: '10.0.0.1:80', target: { host: '10.0.0.1', port: 80, tls: false, path: '/' }, proxyProtocol: false }], backendsNotSampled: 0, skipped: [] };
    const key = '10.0.0.1:80|http|/|plain';
    const phase = (limitS: number | null, survivedS: number, verdict: string) => ({ limitS, survivedS, failedS: limitS, enforcement: limitS ? 'eager' : 'none', closedWith: limitS ? 'fin' : null, headroomS: (limitS ?? survivedS) - 60, verdict, sockets: [] });
    const previous = { region: 'eu-west-1', startedAt: '2026-11-24T10:00:00.000Z', finishedAt: '2026-11-24T10:01:07.000Z', verdict: 'pass', loadBalancers: [{ name: 'web', type: 'classic', vpcId: 'vpc-0a1', idleTimeoutS: 60, marginS: 1, phases: { preRequest: { limitS: null, headroomS: 6, verdict: 'pass', failingBackends: [] }, keepAlive: { limitS: null, headroomS: 6, verdict: 'pass', failingBackends: [] } }, verdict: 'pass', backends: [], probeErrors: 0, backendsNotSampled: 0, skipped: [] }], notCovered: [], excluded: [], apiCalls: 5 };
    const s3 = mockReports(previous, { runId: 'run-2', value: { region: 'eu-west-1', loadBalancers: [lb], notCovered: [], excluded: [], apiCalls: 5 } });
    const event = {
      runId: 'run-2',
      startedAt: '2026-11-24T10:15:00.000Z',
      discoveryKey: discoveryKey('run-2'),
      shards: [{ runId: 'run-2', shardId: 0, vpcId: 'vpc-0a1', items: [{ key, job: { target: lb.backends[0].target, loadBalancerIdleTimeoutS: 60 }, loadBalancers: ['web'] }] }],
      shardResults: [{ runId: 'run-2', shardId: 0, vpcId: 'vpc-0a1', results: [{ key, result: { target: lb.backends[0].target, loadBalancerIdleTimeoutS: 60, horizonS: 66, phases: { preRequest: phase(null, 66, 'pass'), keepAlive: phase(5.001, 5, 'fail') }, verdict: 'fail', startedAt: '2026-11-24T10:15:01.000Z', elapsedS: 66, socketsUsed: 10 } }] }],
    };

    // Act
    const summary = await publish(event, lambdaContext(60_000));
    const digested = await digest({}, lambdaContext(60_000));

    // Assess
    expect(summary).toMatchObject({ verdict: 'fail', changes: 1, notified: true, failing: ['web'] });
    const [notification, digestMessage] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(notification).toMatchObject({ TopicArn: MONITOR_ENV.IDLE_CANARY_TOPIC_ARN, Subject: 'idle-canary eu-west-1: 1 change, 1 load balancer failing' });
    expect(notification.Message).toContain('NEW FAILURE web: the limit between requests went from at least 66.0 s to 5.0 s (was pass, now fail); failing backends: 10.0.0.1:80');
    const stored = JSON.parse(String(s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'idle-canary/runs/run-2.json')!.args[0].input.Body));
    expect(notification.Message).toContain(`(2026-11-24T10:01:07.000Z -> ${stored.finishedAt})`);
    expect(notification.Message).toContain(
      [
        'Report: https://eu-west-1.console.aws.amazon.com/s3/object/idle-canary-reports?region=eu-west-1&bucketType=general&prefix=idle-canary%2Fruns%2Frun-2.html',
        'Report file: s3://idle-canary-reports/idle-canary/runs/run-2.html',
        'Run: https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn%3Aaws%3Astates%3Aeu-west-1%3A123456789012%3Aexecution%3AIdleCanary-run%3Arun-2',
        'Dashboard: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/IdleCanary-Dashboard',
      ].join('\n'),
    );
    expect(digestMessage.Message).toContain('Report: https://eu-west-1.console.aws.amazon.com/s3/object/idle-canary-reports?region=eu-west-1&bucketType=general&prefix=idle-canary%2Flatest.html');
    expect(digested).toEqual({ subject: 'idle-canary eu-west-1 digest: 1 failing of 1' });
    expect(digestMessage.Message).toContain('- FAILING web (idle timeout 60 s): limit between requests 5.0 s');
    [cloudWatch, s3, sns].forEach((mock) => mock.restore());
  });
});

describe('publish with access logs', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, MONITOR_ENV, { IDLE_CANARY_ACCESS_LOGS: 'on' }));
  afterAll(() => {
    process.env = saved;
  });
  const lb = { name: 'web', type: 'classic', vpcId: 'vpc-0a1', idleTimeoutS: 60, backends: [{ id: '10.0.0.1:80', target: { host: '10.0.0.1', port: 80, tls: false, path: '/' }, proxyProtocol: false }], backendsNotSampled: 0, skipped: [] };
  const key = '10.0.0.1:80|http|/|plain';
  const phase = (limitS: number | null, verdict: string) => ({ limitS, survivedS: limitS === null ? 66 : limitS - 0.4, failedS: limitS, enforcement: limitS ? 'lazy' : 'none', closedWith: limitS ? 'rst' : null, headroomS: (limitS ?? 66) - 60, verdict, sockets: [] });
  const discovery = { runId: 'run-3', value: { region: 'eu-west-1', loadBalancers: [lb], notCovered: [], excluded: [], apiCalls: 5 } };
  const event = {
    runId: 'run-3',
    startedAt: '2026-11-25T18:00:00.000Z',
    discoveryKey: discoveryKey('run-3'),
    shards: [{ runId: 'run-3', shardId: 0, vpcId: 'vpc-0a1', items: [{ key, job: { target: lb.backends[0].target, loadBalancerIdleTimeoutS: 60 }, loadBalancers: ['web'] }] }],
    shardResults: [{ runId: 'run-3', shardId: 0, vpcId: 'vpc-0a1', results: [{ key, result: { target: lb.backends[0].target, loadBalancerIdleTimeoutS: 60, horizonS: 66, phases: { preRequest: phase(40.287, 'fail'), keepAlive: phase(null, 'pass') }, verdict: 'fail', startedAt: '2026-11-25T18:00:01.000Z', elapsedS: 96, socketsUsed: 14 } }] }],
  };
  const storedMarkdown = (s3: ReturnType<typeof mockReports>) => String(s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'idle-canary/runs/run-3.md')!.args[0].input.Body);

  it('puts the last hour of hang-ups from the access logs next to the probe verdict in the report', async () => {
    // Prepare
    const cloudWatch = mockClient(CloudWatchClient);
    cloudWatch.on(PutMetricDataCommand).resolves({});
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'hangups', Label: 'web', Values: [37] }, { Id: 'requests', Label: 'web', Values: [12345] }] });
    const s3 = mockReports(null, discovery);
    const sns = mockClient(SNSClient).on(PublishCommand).resolves({});

    // Act
    await publish(event, lambdaContext(60_000));

    // Assess
    const stored = JSON.parse(String(s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === 'idle-canary/runs/run-3.json')!.args[0].input.Body));
    expect(stored.accessLogs).toEqual({ windowMinutes: 60, byLoadBalancer: { web: { hangups: 37, requests: 12345 } } });
    expect(storedMarkdown(s3)).toContain('| web | classic | 60 s | FAIL | 40.3 s | ≥ 66.0 s | 37 of 12,345 | 10.0.0.1:80 |');
    expect(storedMarkdown(s3)).toContain('Access logs: 37 of 12,345 requests in the last 60 minutes died because the backend had already closed the connection.');
    [cloudWatch, s3, sns].forEach((mock) => mock.restore());
  });

  it('still judges, publishes and reports when the hang-ups cannot be read, and says so in the report', async () => {
    // Prepare
    const cloudWatch = mockClient(CloudWatchClient);
    cloudWatch.on(PutMetricDataCommand).resolves({});
    cloudWatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized to perform cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    const s3 = mockReports(null, discovery);
    const sns = mockClient(SNSClient).on(PublishCommand).resolves({});

    // Act
    const summary = await publish(event, lambdaContext(60_000));

    // Assess
    expect(summary).toMatchObject({ verdict: 'fail', failing: ['web'], metricsFailed: 0, report: 'idle-canary/runs/run-3.json' });
    expect(storedMarkdown(s3)).toContain('Access logs could not be read: GetMetricData: AccessDenied: not authorized to perform cloudwatch:GetMetricData');
    [cloudWatch, s3, sns].forEach((mock) => mock.restore());
  });
});

describe('a whole run, handler after handler, as the state machine passes their outputs', () => {
  const setting = wholeRunSetting();

  it('discovers, probes each shard from its VPC and publishes the verdicts', async () => {
    // Prepare: a lazy backend behind a Classic ELB and a tuned one behind an ALB, 3 s timeouts
    const [lazy, tuned] = await setting.start('e2e', { name: 'lazy', lazyHeadersTimeoutMs: 2000 }, { name: 'tuned' });
    const account = mockAccount(
      {
        classic: [{ name: 'k8s-web', idleTimeoutS: 3, listeners: [['HTTP', 80, 'HTTP', lazy.port]], healthCheck: `HTTP:${lazy.port}/healthz`, instances: [{ id: 'i-lazy', ip: '127.0.0.1' }] }],
        alb: [
          { name: 'api', idleTimeoutS: 3, targetGroups: [{ name: 'api-tg', port: tuned.port, targetType: 'ip', targets: [{ id: '127.0.0.1' }] }] },
          { name: 'elsewhere', vpcId: 'vpc-0ff', idleTimeoutS: 3, targetGroups: [] },
        ],
      },
      { everyClient: true },
    );
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const { s3, objects } = inMemoryBucket();

    // Act
    const discovered = (await discover({ runId: 'run-e2e', source: 'schedule' }, lambdaContext(60_000))) as InlineRun;
    const shardResults = await Promise.all(
      discovered.shards.map((shard) =>
        (probe(shard, lambdaContext(30_000)) as Promise<ShardResult>).catch((error: Error): ShardFailure => ({ shardId: shard.shardId, vpcId: shard.vpcId, error: { Error: error.name, Cause: error.message } })),
      ),
    );
    const summary = await publish({ ...discovered, shardResults }, lambdaContext(60_000));

    // Assess
    expect(discovered.shards.map((s) => [s.vpcId, s.items.length])).toEqual([['vpc-0a1', 2]]);
    expect(JSON.parse(objects.get(discovered.discoveryKey)!).excluded).toEqual([{ name: 'elsewhere', type: 'application', reason: 'not in the selected VPCs (vpc-0a1)' }]);
    expect(summary).toMatchObject({ runId: 'run-e2e', verdict: 'fail', loadBalancers: 2, failing: ['k8s-web'], shardFailures: [], metricsFailed: 0 });
    const report = JSON.parse(objects.get('idle-canary/runs/run-e2e.json')!);
    expect(report.loadBalancers.map((lb: { name: string; verdict: string }) => [lb.name, lb.verdict])).toEqual([['k8s-web', 'fail'], ['api', 'pass']]);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!.find((d) => d.MetricName === 'LoadBalancersFailing')?.Value).toBe(1);
    [account.elb, account.elbv2, account.ec2, cloudWatch, s3].forEach((mock) => mock.restore());
  }, 30_000);
});
