/**
 * The access log step: for each new log object an S3 notification names, count requests and
 * backend hang-ups per load balancer and minute, and publish them.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import type { Readable } from 'node:stream';
import { claimLogObject, completeClaim, releaseClaim, type LogObjectId } from '../access-logs/claim';
import { hangupDatums } from '../access-logs/datums';
import { describeLogObjectKey } from '../access-logs/object-key';
import { tallyLogStream } from '../access-logs/stream';
import { AccessLogTally, type MalformedLine } from '../access-logs/tally';
import { publishMetrics } from '../metrics';
import { ENV, envString, settingFromEnv } from './config';
import { logger } from '../shared/logger';
import { validator } from './validate';

const check = validator('access-logs');
const s3Event = check.fields({
  Records: check.array(check.fields({ s3: check.fields({ bucket: check.fields({ name: check.string }), object: check.fields({ key: check.string, eTag: check.string }) }) })),
});

/** What happened to one log object. */
export interface LogObjectOutcome {
  readonly bucket: string;
  readonly key: string;
  /** `duplicate`: counted before (a re-delivered notification); `busy`: being counted by another invocation. */
  readonly outcome: 'counted' | 'skipped' | 'duplicate' | 'busy' | 'failed';
  readonly reason?: string;
  readonly lines?: number;
  readonly malformed?: number;
  readonly malformedExamples?: readonly MalformedLine[];
  readonly loadBalancers?: ReadonlyArray<{ readonly name: string; readonly requests: number; readonly hangups: number }>;
  readonly datumsPublished?: number;
  readonly datumsFailed?: number;
  /** Requests in minutes CloudWatch no longer accepts (older than two weeks). */
  readonly requestsOutOfRange?: number;
  readonly bytesRead?: number;
}

export interface AccessLogsDependencies {
  readonly s3: S3Client;
  readonly cloudWatch: CloudWatchClient;
  readonly now: () => Date;
}

/**
 * Counts every object of the notification, one after the other.
 *
 * Why it throws at the end when an object failed: Lambda then retries the event; objects
 * already counted find their marker and are not counted twice, and the failed one is tried
 * again. An object whose metrics went partly out is recorded as counted (the failed batches
 * logged), because a retry would count the published part twice.
 */
export async function accessLogsStep(event: unknown, env: NodeJS.ProcessEnv = process.env, deps: AccessLogsDependencies = defaultDependencies()): Promise<LogObjectOutcome[]> {
  if ((event as { Event?: string } | null)?.Event === 's3:TestEvent') return [];
  s3Event(event, '');
  const settings = {
    markerBucket: envString(env, ENV.bucket),
    prefix: env[ENV.reportPrefix] ?? '',
    namespace: env[ENV.namespace] || undefined,
    staleAfterMs: settingFromEnv(env, 'claimStaleS') * 1000,
  };
  const outcomes: LogObjectOutcome[] = [];
  for (const record of (event as S3Event).Records) {
    const object = { bucket: record.s3.bucket.name, key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), etag: record.s3.object.eTag.replace(/"/g, '') };
    const outcome = await countObject(object, settings, deps).catch((error: Error): LogObjectOutcome => ({ bucket: object.bucket, key: object.key, outcome: 'failed', reason: `${error.name}: ${error.message}` }));
    (outcome.outcome === 'failed' ? logger.error.bind(logger) : logger.info.bind(logger))('access log object', { ...outcome });
    outcomes.push(outcome);
  }
  const failed = outcomes.filter((o) => o.outcome === 'failed');
  if (failed.length > 0) throw new Error(`${failed.length} of ${outcomes.length} access log object(s) not counted, to be retried: ${failed.map((o) => `s3://${o.bucket}/${o.key}: ${o.reason}`).join('; ')}`);
  return outcomes;
}

interface Settings {
  readonly markerBucket: string;
  readonly prefix: string;
  readonly namespace: string | undefined;
  readonly staleAfterMs: number;
}

/** Errors reading a log object that a retry cannot mend, and what they mean. */
const GONE: Readonly<Record<string, string>> = {
  NoSuchKey: 'the object was deleted before it could be counted',
  PreconditionFailed: 'the object was overwritten since this notification (its ETag changed): the notification of the new version counts it',
};

async function countObject(object: LogObjectId, settings: Settings, deps: AccessLogsDependencies): Promise<LogObjectOutcome> {
  const where = { bucket: object.bucket, key: object.key };
  const described = describeLogObjectKey(object.key);
  if ('skip' in described) return { ...where, outcome: 'skipped', reason: described.skip };
  const claim = await claimLogObject(deps.s3, settings.markerBucket, settings.prefix, object, deps.now(), settings.staleAfterMs);
  if (claim.state !== 'claimed') return { ...where, outcome: claim.state === 'done' ? 'duplicate' : 'busy' };

  const tally = new AccessLogTally();
  let bytesRead: number;
  try {
    // IfMatch: exactly the version the notification is about, or an error, never another.
    const output = await deps.s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, IfMatch: `"${object.etag}"` }));
    ({ bytesRead } = await tallyLogStream(output.Body as Readable, tally, object.key));
  } catch (error) {
    const gone = GONE[(error as Error).name];
    if (gone !== undefined) {
      // Retrying cannot help: record the object as settled, with why it was not counted.
      const outcome: LogObjectOutcome = { ...where, outcome: 'skipped', reason: gone };
      await completeClaim(deps.s3, settings.markerBucket, claim.markerKey, object, deps.now(), outcome);
      return outcome;
    }
    await releaseClaim(deps.s3, settings.markerBucket, claim.markerKey, object, deps.now());
    throw error;
  }
  const { datums, requestsOutOfRange } = hangupDatums(tally, deps.now());
  const metrics = await publishMetrics(deps.cloudWatch, datums, { namespace: settings.namespace });
  const datumsFailed = metrics.failed.reduce((sum, f) => sum + f.datums, 0);
  const metricErrors = metrics.failed.map((f) => f.error).join('; ');
  if (datums.length > 0 && metrics.published === 0) {
    await releaseClaim(deps.s3, settings.markerBucket, claim.markerKey, object, deps.now());
    throw new Error(`no metric published: ${metricErrors}`);
  }
  const outcome: LogObjectOutcome = {
    ...where,
    outcome: 'counted',
    lines: tally.lines,
    malformed: tally.malformed,
    malformedExamples: tally.malformedExamples,
    loadBalancers: [...tally.loadBalancers.values()].map((lb) => ({ name: lb.name, requests: lb.requests, hangups: lb.hangups })),
    datumsPublished: metrics.published,
    datumsFailed,
    requestsOutOfRange,
    bytesRead,
    ...(datumsFailed > 0 ? { reason: `metrics partly not published: ${metricErrors}` } : {}),
  };
  await completeClaim(deps.s3, settings.markerBucket, claim.markerKey, object, deps.now(), outcome);
  return outcome;
}

function defaultDependencies(): AccessLogsDependencies {
  return { s3: new S3Client({}), cloudWatch: new CloudWatchClient({}), now: () => new Date() };
}

export const handler = middy((event: unknown) => accessLogsStep(event)).use(injectLambdaContext(logger));
