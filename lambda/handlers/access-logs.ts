/**
 * The access log step's handler: each log object an S3 notification names to `countLogObject`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { decodeNotifiedKey } from '../access-logs/object-key';
import { countLogObject, type AccessLogsDependencies, type CountSettings, type LogObjectOutcome } from '../access-logs/count-object';
import { ENV, envString, metricSetFromEnv, settingFromEnv } from './config';
import { logger } from '../shared/logger';
import { validator } from './validate';

const check = validator('access-logs');
const s3Event = check.fields({
  Records: check.array(check.fields({ s3: check.fields({ bucket: check.fields({ name: check.string }), object: check.fields({ key: check.string, eTag: check.string }) }) })),
});

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
  const settings: CountSettings = {
    markerBucket: envString(env, ENV.bucket),
    prefix: env[ENV.reportPrefix] ?? '',
    namespace: env[ENV.namespace] || undefined,
    metrics: metricSetFromEnv(env),
    staleAfterMs: settingFromEnv(env, 'claimStaleS') * 1000,
  };
  const outcomes: LogObjectOutcome[] = [];
  for (const record of (event as S3Event).Records) {
    const key = decodeNotifiedKey(record.s3.object.key);
    const object = { bucket: record.s3.bucket.name, key: key ?? record.s3.object.key, etag: record.s3.object.eTag.replace(/"/g, '') };
    const outcome: LogObjectOutcome =
      key === null
        ? { bucket: object.bucket, key: object.key, outcome: 'skipped', reason: 'the key is not URL-encoded as S3 notifications encode keys' }
        : await countLogObject(object, settings, deps).catch((error: Error): LogObjectOutcome => ({ bucket: object.bucket, key: object.key, outcome: 'failed', reason: `${error.name}: ${error.message}` }));
    (outcome.outcome === 'failed' ? logger.error.bind(logger) : logger.info.bind(logger))('access log object', { ...outcome });
    outcomes.push(outcome);
  }
  const failed = outcomes.filter((o) => o.outcome === 'failed');
  if (failed.length > 0) throw new Error(`${failed.length} of ${outcomes.length} access log object(s) not counted, to be retried: ${failed.map((o) => `s3://${o.bucket}/${o.key}: ${o.reason}`).join('; ')}`);
  return outcomes;
}

function defaultDependencies(): AccessLogsDependencies {
  return { s3: new S3Client({}), cloudWatch: new CloudWatchClient({}), now: () => new Date() };
}

export const handler = middy((event: unknown) => accessLogsStep(event)).use(injectLambdaContext(logger));
