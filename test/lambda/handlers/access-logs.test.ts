import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { accessLogsStep, handler } from '../../../lambda/handlers/access-logs';
import { lambdaContext } from '../../support/lambda-context';
import { ALB, CLASSIC, MALFORMED } from '../access-logs/lines';

const ENV = {
  IDLE_CANARY_BUCKET: 'idle-canary-reports',
  IDLE_CANARY_REPORT_PREFIX: 'idle-canary/',
  IDLE_CANARY_NAMESPACE: 'IdleCanary',
  IDLE_CANARY_METRICS: 'detailed',
  IDLE_CANARY_CLAIM_STALE_S: '360',
};
const NOW = new Date('2026-11-25T18:10:00.000Z');
const LOGS = 'elb-logs';
const ALB_KEY = 'prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/123456789012_elasticloadbalancing_eu-west-1_app.k8s-web.50dc6c495c0c9188_20261125T1805Z_10.0.1.5_2jn4f8x1.log.gz';
const CLASSIC_KEY = 'prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/25/123456789012_elasticloadbalancing_eu-west-1_my-elb_20261125T1805Z_10.0.1.6_5kq8d2z9.log';

/** Moves a log line to another minute of today, keeping everything else. */
const at = (line: string, time: string) => line.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/, `2026-11-25T${time}Z`);

const ALB_OBJECT = gzipSync(
  [
    at(ALB.current, '18:00:01.123456'),
    at(ALB.slow504, '18:00:30.000000'),
    at(ALB.layout2018, '18:01:05.000000'),
    at(ALB.undispatched504, '18:01:06.000000'),
    at(ALB.layout2016, '18:01:07.000000').replace('app/my-loadbalancer/', 'app/api/'),
  ].join('\n') + '\n',
);
const CLASSIC_OBJECT = Buffer.from([at(CLASSIC.seed, '18:02:54.679150'), at(CLASSIC.hangup, '18:02:59.112233'), at(CLASSIC.http, '18:03:00.000001'), MALFORMED.truncatedInQuote].join('\n') + '\n');

/** An error as the S3 client throws it. */
const s3Error = (name: string, httpStatusCode: number, message: string) => new S3ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode }, message });
const PRECONDITION_FAILED = () => s3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');

/** A notification as S3 sends it: keys URL-encoded, ETags without quotes. */
function notification(...objects: Array<{ key: string; etag: string }>) {
  return { Records: objects.map(({ key, etag }) => ({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: LOGS }, object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), eTag: etag, size: 1 } } })) };
}

/**
 * S3 as the handler sees it: the log objects, and a marker store that honours conditional
 * writes (`If-None-Match: *`, `If-Match`) the way S3 does, with 412.
 */
function mockS3(objects: Record<string, Buffer>, failOnce: Record<string, Error> = {}) {
  const markers = new Map<string, { body: string; etag: string }>();
  let version = 0;
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    const existing = markers.get(input.Key!);
    if (input.IfNoneMatch === '*' && existing !== undefined) throw PRECONDITION_FAILED();
    if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch) throw PRECONDITION_FAILED();
    const etag = `"m${++version}"`;
    markers.set(input.Key!, { body: String(input.Body), etag });
    return { ETag: etag };
  });
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const marker = markers.get(input.Key);
    if (input.Bucket === ENV.IDLE_CANARY_BUCKET && marker) return { Body: sdkStreamMixin(Readable.from([marker.body])), ETag: marker.etag };
    const failure = failOnce[input.Key];
    if (failure !== undefined) {
      delete failOnce[input.Key];
      throw failure;
    }
    const bytes = objects[input.Key];
    if (input.Bucket !== LOGS || bytes === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: sdkStreamMixin(Readable.from([bytes])) };
  });
  return { s3, markers };
}

const dimension = (name: string) => [{ Name: 'LoadBalancer', Value: name }];
const datum = (MetricName: string, Value: number, time: string, lb: string) => ({ MetricName, Unit: 'Count', Value, Timestamp: new Date(`2026-11-25T${time}:00.000Z`), Dimensions: dimension(lb) });

describe('the access log handler', () => {
  const deps = () => ({ s3: new S3Client({}), cloudWatch: new CloudWatchClient({}), now: () => NOW });
  afterEach(() => {
    mockClient(S3Client).restore();
    mockClient(CloudWatchClient).restore();
  });

  it('streams a gzip ALB object and a plain Classic ELB object and publishes hang-ups and requests per load balancer and minute, at the lines’ own time', async () => {
    // Prepare
    mockS3({ [ALB_KEY]: ALB_OBJECT, [CLASSIC_KEY]: CLASSIC_OBJECT });
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});

    // Act
    const outcomes = await accessLogsStep(notification({ key: ALB_KEY, etag: 'a1' }, { key: CLASSIC_KEY, etag: 'c1' }), ENV, deps());

    // Assess: the exact PutMetricData inputs, one per object
    expect(cloudWatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input)).toEqual([
      {
        Namespace: 'IdleCanary',
        MetricData: [
          // An ALB's series is under AWS's own identity of it, app/NAME/ID
          datum('BackendHangups', 0, '18:01', 'app/api/50dc6c495c0c9188'),
          datum('RequestsLogged', 1, '18:01', 'app/api/50dc6c495c0c9188'),
          datum('BackendHangups', 1, '18:00', 'app/k8s-web/50dc6c495c0c9188'),
          datum('RequestsLogged', 2, '18:00', 'app/k8s-web/50dc6c495c0c9188'),
          datum('BackendHangups', 1, '18:01', 'app/k8s-web/50dc6c495c0c9188'),
          datum('RequestsLogged', 1, '18:01', 'app/k8s-web/50dc6c495c0c9188'),
          datum('BackendHangups', 0, '18:01', 'app/my-loadbalancer/50dc6c495c0c9188'),
          datum('RequestsLogged', 1, '18:01', 'app/my-loadbalancer/50dc6c495c0c9188'),
        ],
      },
      {
        Namespace: 'IdleCanary',
        MetricData: [datum('BackendHangups', 2, '18:02', 'my-elb'), datum('RequestsLogged', 2, '18:02', 'my-elb'), datum('BackendHangups', 0, '18:03', 'my-loadbalancer'), datum('RequestsLogged', 1, '18:03', 'my-loadbalancer')],
      },
    ]);
    expect(outcomes.map(({ key, outcome, lines, malformed, loadBalancers, datumsPublished }) => ({ key, outcome, lines, malformed, loadBalancers, datumsPublished }))).toEqual([
      { key: ALB_KEY, outcome: 'counted', lines: 5, malformed: 0, loadBalancers: [{ name: 'k8s-web', requests: 3, hangups: 2 }, { name: 'my-loadbalancer', requests: 1, hangups: 0 }, { name: 'api', requests: 1, hangups: 0 }], datumsPublished: 8 },
      { key: CLASSIC_KEY, outcome: 'counted', lines: 4, malformed: 1, loadBalancers: [{ name: 'my-elb', requests: 2, hangups: 2 }, { name: 'my-loadbalancer', requests: 1, hangups: 0 }], datumsPublished: 4 },
    ]);
    expect(outcomes[1].malformedExamples).toEqual([{ source: CLASSIC_KEY, line: 4, reason: 'a quoted field is not closed', text: MALFORMED.truncatedInQuote.slice(0, 120) }]);
  });

  it('does not count an object twice when its notification is delivered again', async () => {
    // Prepare
    const { markers } = mockS3({ [CLASSIC_KEY]: CLASSIC_OBJECT });
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const event = notification({ key: CLASSIC_KEY, etag: 'c1' });

    // Act
    const first = await accessLogsStep(event, ENV, deps());
    const second = await accessLogsStep(event, ENV, deps());

    // Assess
    expect([first[0].outcome, second[0].outcome]).toEqual(['counted', 'duplicate']);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    const [marker] = [...markers.values()].map((m) => JSON.parse(m.body));
    expect(marker).toMatchObject({ state: 'done', object: { bucket: LOGS, key: CLASSIC_KEY, etag: 'c1' }, result: { outcome: 'counted', datumsPublished: 4 } });
  });

  it('counts an object again when it was overwritten (a new ETag)', async () => {
    // Prepare
    mockS3({ [CLASSIC_KEY]: CLASSIC_OBJECT });
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});

    // Act
    await accessLogsStep(notification({ key: CLASSIC_KEY, etag: 'c1' }), ENV, deps());
    const outcomes = await accessLogsStep(notification({ key: CLASSIC_KEY, etag: 'c2' }), ENV, deps());

    // Assess
    expect(outcomes[0].outcome).toBe('counted');
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(2);
  });

  it('fails for the one object it could not read, counts the others, and lets the retry count that one', async () => {
    // Prepare: reading the ALB object fails once with S3's 503 SlowDown, then succeeds
    mockS3({ [CLASSIC_KEY]: CLASSIC_OBJECT, [ALB_KEY]: ALB_OBJECT }, { [ALB_KEY]: s3Error('SlowDown', 503, 'Please reduce your request rate.') });
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const event = notification({ key: ALB_KEY, etag: 'a1' }, { key: CLASSIC_KEY, etag: 'c1' });

    // Act
    const firstAttempt = accessLogsStep(event, ENV, deps());
    await expect(firstAttempt).rejects.toThrow(`1 of 2 access log object(s) not counted, to be retried: s3://${LOGS}/${ALB_KEY}: SlowDown: Please reduce your request rate.`);
    const retry = await accessLogsStep(event, ENV, deps());

    // Assess: the Classic object once, the ALB object on the retry
    expect(retry.map((o) => o.outcome)).toEqual(['counted', 'duplicate']);
    expect(cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input.MetricData!.length)).toEqual([4, 8]);
  });

  it('settles, without retrying, an object deleted or overwritten before it was read', async () => {
    // Prepare: the Classic object is gone; the ALB object was overwritten (If-Match fails)
    mockS3({}, { [ALB_KEY]: PRECONDITION_FAILED() });
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const event = notification({ key: ALB_KEY, etag: 'a1' }, { key: CLASSIC_KEY, etag: 'c1' });

    // Act
    const first = await accessLogsStep(event, ENV, deps());
    const again = await accessLogsStep(event, ENV, deps());

    // Assess
    expect(first.map((o) => [o.outcome, o.reason])).toEqual([
      ['skipped', 'the object was overwritten since this notification (its ETag changed): the notification of the new version counts it'],
      ['skipped', 'the object was deleted before it could be counted'],
    ]);
    expect(again.map((o) => o.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('takes over a claim left by an invocation that died, once it is older than the function timeout', async () => {
    // Prepare: a claim written 10 minutes before, never completed
    const { markers } = mockS3({ [CLASSIC_KEY]: CLASSIC_OBJECT });
    mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const crashed = await accessLogsStep(notification({ key: CLASSIC_KEY, etag: 'c1' }), ENV, { ...deps(), now: () => new Date(NOW.getTime() - 600_000) });
    const [markerKey] = [...markers.keys()];
    markers.set(markerKey, { body: JSON.stringify({ state: 'claimed', at: new Date(NOW.getTime() - 600_000).toISOString(), object: {} }), etag: '"stale"' });
    const busyNow = await accessLogsStep(notification({ key: CLASSIC_KEY, etag: 'c1' }), ENV, { ...deps(), now: () => new Date(NOW.getTime() - 590_000) });

    // Act
    const later = await accessLogsStep(notification({ key: CLASSIC_KEY, etag: 'c1' }), ENV, deps());

    // Assess
    expect([crashed[0].outcome, busyNow[0].outcome, later[0].outcome]).toEqual(['counted', 'busy', 'counted']);
  });

  it('skips objects that are not access logs, with the reason', async () => {
    // Prepare
    mockS3({});
    const cloudWatch = mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});

    // Act
    const outcomes = await accessLogsStep(
      notification(
        { key: 'prod/AWSLogs/123456789012/ELBAccessLogTestFile', etag: 't' },
        { key: ALB_KEY.replace('/123456789012_elasticloadbalancing', '/conn_log.123456789012_elasticloadbalancing'), etag: 'k' },
        { key: ALB_KEY.replace('app.k8s-web', 'net.k8s-tcp'), etag: 'n' },
      ),
      ENV,
      deps(),
    );

    // Assess
    expect(outcomes.map((o) => o.reason)).toEqual([
      'the test object Elastic Load Balancing writes when logging is enabled',
      'not an Elastic Load Balancing access log key (AWSLogs/ACCOUNT/elasticloadbalancing/REGION/YYYY/MM/DD/ACCOUNT_elasticloadbalancing_REGION_LB_END_IP_RANDOM.log[.gz])',
      'a Network Load Balancer log: NLBs are not covered',
    ]);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('skips a key that is not URL-encoded, with the reason, and still counts the others of the notification', async () => {
    // Prepare
    mockS3({ [CLASSIC_KEY]: CLASSIC_OBJECT });
    mockClient(CloudWatchClient).on(PutMetricDataCommand).resolves({});
    const event = notification({ key: CLASSIC_KEY, etag: 'c' });
    event.Records.unshift({ ...event.Records[0], s3: { ...event.Records[0].s3, object: { ...event.Records[0].s3.object, key: 'prod/%E0%A4%A.log' } } });

    // Act
    const outcomes = await accessLogsStep(event, ENV, deps());

    // Assess
    expect(outcomes.map((o) => [o.key, o.outcome, o.reason])).toEqual([
      ['prod/%E0%A4%A.log', 'skipped', 'the key is not URL-encoded as S3 notifications encode keys'],
      [CLASSIC_KEY, 'counted', undefined],
    ]);
  });

  it('rejects, through middy, a notification without an ETag, naming the field', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, ENV);
    const event = notification({ key: CLASSIC_KEY, etag: 'c1' });
    delete (event.Records[0].s3.object as { eTag?: string }).eTag;

    // Act & Assess
    await expect(handler(event, lambdaContext(60_000))).rejects.toThrow('access-logs event: field "Records[0].s3.object.eTag" must be a non-empty string, got nothing');
    process.env = saved;
  });
});
