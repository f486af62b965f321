/**
 * The lean metric set, the stack's default, against moto's CloudWatch: the publish handler puts
 * a run's metrics, and the CloudWatch API reads back exactly the metrics docs/CONTRACTS.md lists
 * for the set, with the values each alarm watches (a failing load balancer, one that could not
 * be probed, the heartbeat of a run and its absence).
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { publishStep } from '../../../lambda/handlers/publish';
import { ALARMED } from '../../../lib/alarms';
import { METRIC, METRIC_SETS } from '../../../lambda/metrics/names';
import type { ShardFailure } from '../../../lambda/run/types';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';

const BUCKET = 'idle-canary-reports';
const NAMESPACE = 'IdleCanary';
const DISCOVERY_KEY = 'idle-canary/plans/run-1/discovery.json';

const loadBalancer = (name: string, host: string) => ({ name, type: 'classic', vpcId: 'vpc-0a1', idleTimeoutS: 3, backends: [{ id: `${host}:80`, target: { host, port: 80, tls: false, path: '/' }, proxyProtocol: false }], backendsNotSampled: 0, skipped: [] });
const item = (name: string, host: string) => ({ key: `${host}:80|http|/|plain`, job: { target: { host, port: 80, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 3 }, loadBalancers: [name] });
const phase = (verdict: 'pass' | 'fail', limitS: number | null, survivedS: number) => ({ limitS, survivedS, failedS: limitS, enforcement: limitS === null ? 'none' : 'eager', closedWith: limitS === null ? null : 'fin', headroomS: (limitS ?? survivedS) - 3, verdict, sockets: [] });
const result = (host: string, keepAlive: ReturnType<typeof phase>) => ({
  key: `${host}:80|http|/|plain`,
  result: { target: { host, port: 80, tls: false, path: '/' }, loadBalancerIdleTimeoutS: 3, horizonS: 4, phases: { preRequest: phase('pass', null, 4), keepAlive }, verdict: keepAlive.verdict, elapsedS: 4, socketsUsed: 10 },
});

describe('the lean metric set against the moto emulator', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let clients: { s3: S3Client; sns: SNSClient; cloudWatch: CloudWatchClient };
  let env: Record<string, string>;
  let beforeRun: Date;
  let afterRun: Date;

  beforeAll(async () => {
    moto = await startMoto();
    useMotoOnly(moto);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    clients = { s3: new S3Client({ forcePathStyle: true }), sns: new SNSClient({}), cloudWatch: new CloudWatchClient({}) };
    await clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'idle-canary' }))).TopicArn!;
    // The stack's environment for publish, without IDLE_CANARY_METRICS: the default set
    env = { IDLE_CANARY_BUCKET: BUCKET, IDLE_CANARY_REPORT_PREFIX: 'idle-canary/', IDLE_CANARY_NAMESPACE: NAMESPACE, IDLE_CANARY_TOPIC_ARN: topicArn };

    // Prepare: behind 3 s load balancers, a backend keeping idle connections 4 s (fine), one
    // closing them after 1 s (web), and one whose shard timed out (locked: not probed)
    const discovery = { region: 'eu-west-1', loadBalancers: [loadBalancer('fine', '10.0.0.1'), loadBalancer('web', '10.0.0.2'), loadBalancer('locked', '10.0.0.3')], notCovered: [], excluded: [], apiCalls: 9 };
    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: DISCOVERY_KEY, Body: JSON.stringify(discovery) }));
    const event = {
      runId: 'run-1',
      startedAt: new Date().toISOString(),
      discoveryKey: DISCOVERY_KEY,
      shards: [
        { runId: 'run-1', shardId: 0, vpcId: 'vpc-0a1', items: [item('fine', '10.0.0.1'), item('web', '10.0.0.2')] },
        { runId: 'run-1', shardId: 1, vpcId: 'vpc-0a1', items: [item('locked', '10.0.0.3')] },
      ],
      shardResults: [
        { runId: 'run-1', shardId: 0, vpcId: 'vpc-0a1', results: [result('10.0.0.1', phase('pass', null, 4)), result('10.0.0.2', phase('fail', 1, 0.5))] },
        { shardId: 1, vpcId: 'vpc-0a1', error: { Error: 'States.Timeout', Cause: 'Task timed out after 900.00 seconds' } } satisfies ShardFailure,
      ],
    };

    // Act
    beforeRun = new Date(Date.now() - 60_000);
    await publishStep(event, env, clients);
    afterRun = new Date(Date.now() + 60_000);
  }, 60_000);

  afterAll(async () => {
    Object.values(clients ?? {}).forEach((client) => client.destroy());
    process.env = saved;
    await moto?.stop();
  });

  /** Every value of a metric between two times, as an alarm's query reads it (one datum per run here). */
  async function valuesOf(metricName: string, from: Date, to: Date, loadBalancer?: string): Promise<number[]> {
    const query: MetricDataQuery = {
      Id: 'm',
      MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: metricName, Dimensions: loadBalancer ? [{ Name: 'LoadBalancer', Value: loadBalancer }] : [] }, Period: 60, Stat: 'Sum' },
    };
    const output = await clients.cloudWatch.send(new GetMetricDataCommand({ StartTime: from, EndTime: to, MetricDataQueries: [query] }));
    return output.MetricDataResults?.[0]?.Values ?? [];
  }

  it('publishes exactly the lean set: one Headroom per load balancer with a measurement, and the fleet metrics', async () => {
    // Act
    const listed = await clients.cloudWatch.send(new ListMetricsCommand({ Namespace: NAMESPACE }));

    // Assess: locked had nothing measured, so no headroom of its own
    const series = (listed.Metrics ?? []).map((m) => [m.MetricName, ...(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`)].join(' ')).sort();
    expect(series).toEqual(['FleetProbeErrors', 'Headroom LoadBalancer=fine', 'Headroom LoadBalancer=web', 'LoadBalancersFailing', 'LoadBalancersInconclusive', 'RunCompleted']);
    expect([...new Set((listed.Metrics ?? []).map((m) => m.MetricName))].sort()).toEqual(METRIC_SETS.lean.run.map((m) => m.name).sort());
  });

  it('drives the LoadBalancersFailing alarm\'s metric with the failing load balancer, and shows its headroom below zero', async () => {
    // Act
    const failing = await valuesOf(ALARMED.lean.failing.metric.name, beforeRun, afterRun);
    const [web, fine] = await Promise.all([valuesOf(METRIC.headroom.name, beforeRun, afterRun, 'web'), valuesOf(METRIC.headroom.name, beforeRun, afterRun, 'fine')]);

    // Assess: web's backend closed idle connections after 1 s, 2 s before its 3 s idle timeout
    expect(failing).toEqual([1]);
    expect([web, fine]).toEqual([[-2], [1]]);
  });

  it('drives the ProbeErrors alarm\'s metric with the load balancer that could not be probed', async () => {
    // Act
    const [probeErrors, inconclusive] = await Promise.all([valuesOf(ALARMED.lean.probeErrors.metric.name, beforeRun, afterRun), valuesOf(METRIC.loadBalancersInconclusive.name, beforeRun, afterRun)]);

    // Assess
    expect(probeErrors).toEqual([1]);
    expect(inconclusive).toEqual([1]);
  });

  it('gives the Heartbeat alarm one RunCompleted for the run, and no data where no run was (missing data breaches)', async () => {
    // Act
    const [run, noRun] = await Promise.all([valuesOf(METRIC.runCompleted.name, beforeRun, afterRun), valuesOf(METRIC.runCompleted.name, new Date(beforeRun.getTime() - 3600_000), new Date(beforeRun.getTime() - 1800_000))]);

    // Assess
    expect(run).toEqual([1]);
    expect(noRun).toEqual([]);
  });
});
