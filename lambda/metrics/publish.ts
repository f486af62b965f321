/**
 * Publishes datums to CloudWatch: in batches within the API limits, retried, and every batch
 * that still fails reported, never silently dropped.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDefaults } from '../shared/defaults';
import { batchDatums, type Datum } from './datums';
import { DEFAULT_NAMESPACE } from './names';

/** Defaults of publishing, merged once. */
export const defaults = {
  namespace: DEFAULT_NAMESPACE,
  /** Attempts per batch, on top of the SDK's own retry of throttling and 5xx. */
  attempts: 3,
  /** First pause between attempts; doubled each time. */
  backoffMs: 200,
} as const;

export interface PublishOptions {
  /** @default 'IdleCanary' */
  readonly namespace?: string;
  /** @default 3 */
  readonly attempts?: number;
  /** @default 200 */
  readonly backoffMs?: number;
}

/** What was published and what could not be. */
export interface PublishReport {
  readonly namespace: string;
  readonly published: number;
  readonly calls: number;
  readonly failed: ReadonlyArray<{ readonly datums: number; readonly metrics: readonly string[]; readonly error: string }>;
}

/**
 * Puts every datum, batch by batch; a batch that fails after its attempts is reported with
 * its error, and the other batches are still published.
 *
 * @example
 * const report = await publishMetrics(new CloudWatchClient({}), toDatums(verdicts, new Date()));
 * if (report.failed.length > 0) logger.error('metrics not published', { failed: report.failed });
 */
export async function publishMetrics(client: CloudWatchClient, datums: readonly Datum[], options: PublishOptions = {}): Promise<PublishReport> {
  const settings = withDefaults(defaults, options);
  let published = 0;
  let calls = 0;
  const failed: Array<PublishReport['failed'][number]> = [];
  for (const batch of batchDatums(datums)) {
    for (let attempt = 1; ; attempt++) {
      try {
        calls++;
        await client.send(new PutMetricDataCommand({ Namespace: settings.namespace, MetricData: batch as MetricDatum[] }));
        published += batch.length;
        break;
      } catch (error) {
        if (attempt >= settings.attempts) {
          failed.push({ datums: batch.length, metrics: [...new Set(batch.map((d) => d.MetricName))], error: `PutMetricData: ${(error as Error).name}: ${(error as Error).message}` });
          break;
        }
        await sleep(settings.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
  return { namespace: settings.namespace, published, calls, failed };
}
