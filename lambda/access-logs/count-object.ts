/**
 * One access log object counted once: the claim, the read, the tally, the metrics.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { publishMetrics, type MetricSet } from '../metrics';
import { claimLogObject, completeClaim, releaseClaim, type LogObjectId } from './claim';
import { hangupDatums } from './datums';
import { describeLogObjectKey } from './object-key';
import { tallyLogStream } from './stream';
import { AccessLogTally, type MalformedLine } from './tally';

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

/** The clients and clock the count uses. */
export interface AccessLogsDependencies {
  readonly s3: S3Client;
  readonly cloudWatch: CloudWatchClient;
  readonly now: () => Date;
}

/** Where claims are marked and metrics go. */
export interface CountSettings {
  readonly markerBucket: string;
  readonly prefix: string;
  readonly namespace: string | undefined;
  /** The metric set to publish; the default set when unset. */
  readonly metrics?: MetricSet;
  readonly staleAfterMs: number;
}

/** Errors reading a log object that a retry cannot mend, and what they mean. */
const GONE: Readonly<Record<string, string>> = {
  NoSuchKey: 'the object was deleted before it could be counted',
  PreconditionFailed: 'the object was overwritten since this notification (its ETag changed): the notification of the new version counts it',
};

/**
 * Counts one log object once: claims it, reads exactly the notified version, tallies it,
 * publishes its datums and settles the claim with the outcome.
 *
 * Why a claim around the count: S3 notifications are delivered at least once, and an object
 * counted twice would double its hang-ups; a failure that a retry can mend gives the claim back
 * and throws, one that it cannot (the object gone or overwritten) settles it with the reason.
 *
 * @example
 * const outcome = await countLogObject({ bucket: 'logs', key, etag }, settings, { s3, cloudWatch, now: () => new Date() });
 */
export async function countLogObject(object: LogObjectId, settings: CountSettings, deps: AccessLogsDependencies): Promise<LogObjectOutcome> {
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
  const { datums, requestsOutOfRange } = hangupDatums(tally, deps.now(), settings.metrics);
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

