/**
 * Missing objects are "not found": against moto's S3 (real requests, real `NoSuchKey`
 * answers), the digest before any run and the access log counter on an object deleted before
 * it was read. S3 answers so only to a role that may list the bucket; the template tests show
 * each reading role has `s3:ListBucket` (moto does not evaluate IAM).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { accessLogsStep } from '../../../lambda/handlers/access-logs';
import { digestStep } from '../../../lambda/handlers/digest';
import { startMoto, useMotoOnly, type RunningMoto } from '../../support/moto';

const REPORTS = 'idle-canary-reports';
const LOGS = 'corp-elb-logs';
const KEY = 'prod/AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/30/123456789012_elasticloadbalancing_eu-west-1_app.k8s-web.50dc6c495c0c9188_20261130T1705Z_10.0.1.5_2jn4f8x1.log.gz';

describe('missing objects against the moto emulator', () => {
  const saved = { ...process.env };
  let moto: RunningMoto;
  let clients: { s3: S3Client; sns: SNSClient; cloudWatch: CloudWatchClient };
  let topicArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    useMotoOnly(moto);
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    clients = { s3: new S3Client({ forcePathStyle: true }), sns: new SNSClient({}), cloudWatch: new CloudWatchClient({}) };
    for (const bucket of [REPORTS, LOGS]) await clients.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'idle-canary-alarms' }))).TopicArn!;
  }, 60_000);

  afterAll(async () => {
    Object.values(clients ?? {}).forEach((client) => client.destroy());
    process.env = saved;
    await moto?.stop();
  });

  it('sends the digest before any run, saying that no run has completed yet', async () => {
    // Act
    const sent = await digestStep({ IDLE_CANARY_BUCKET: REPORTS, IDLE_CANARY_REPORT_PREFIX: 'idle-canary/', IDLE_CANARY_TOPIC_ARN: topicArn }, { s3: clients.s3, sns: clients.sns });

    // Assess
    expect(sent).toEqual({ subject: 'idle-canary digest: no run has completed yet' });
  });

  it('settles a log object deleted before it was read, once, without a retry', async () => {
    // Prepare: the notification of an object that is no longer there
    const event = { Records: [{ s3: { bucket: { name: LOGS }, object: { key: KEY, eTag: '0123456789abcdef' } } }] };
    const env = { IDLE_CANARY_BUCKET: REPORTS, IDLE_CANARY_REPORT_PREFIX: 'idle-canary/' };
    const deps = { s3: clients.s3, cloudWatch: clients.cloudWatch, now: () => new Date() };

    // Act
    const first = await accessLogsStep(event, env, deps);
    const redelivered = await accessLogsStep(event, env, deps);

    // Assess
    expect(first.map((o) => [o.outcome, o.reason])).toEqual([['skipped', 'the object was deleted before it could be counted']]);
    expect(redelivered.map((o) => o.outcome)).toEqual(['duplicate']);
  });
});
