/**
 * Run reports in the bucket: each run as JSON, Markdown and HTML, and `latest.*` for the
 * next run to compare with and for people to open.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getJson } from '../shared/s3-json';
import type { Change } from './changes';
import { runLinks, type RunLinks, type RunPlace } from './console-links';
import { renderHtmlReport } from './html';
import { renderMarkdownReport } from './markdown';
import { fromScanJson, type SavedScanReport } from './normalize';
import { toScanJson, type ScanReport } from './scan';

/** Where a run's reports went. */
export interface StoredReport {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
  /** The HTML page in the console, the run and the dashboard, for notifications. */
  readonly links: RunLinks;
}

/** What the links of a stored run need beyond the bucket, the key and the report's region. */
export type LinkPlace = Pick<RunPlace, 'execution' | 'dashboardName'>;

/**
 * The links of the run `runId` of a report under `prefix` in `bucket`.
 *
 * @example
 * reportLinks('reports', 'idle-canary/', 'r-1', report, { dashboardName: 'IdleCanary' }).report; // https://...
 */
export function reportLinks(bucket: string, prefix: string, runId: string, report: Pick<ScanReport, 'region'>, place: LinkPlace = {}): RunLinks {
  return runLinks({ region: report.region, bucket, reportKey: `${prefix}runs/${runId}.html`, ...place });
}

/**
 * The previous run, from `latest.json` (as any version wrote it); `null` on the first run.
 */
export async function readLatest(s3: S3Client, bucket: string, prefix: string): Promise<ScanReport | null> {
  try {
    return fromScanJson(await getJson<SavedScanReport>(s3, bucket, `${prefix}latest.json`));
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return null;
    throw error;
  }
}

/**
 * Writes the run's JSON, Markdown and HTML, then (unless `latest` is false: a run of a
 * selection, which is no view of the whole scope) `latest.json`, `latest.md` and `latest.html`.
 *
 * Why `latest.json` last: it is what the next run compares with, so it only moves once this
 * run's own reports are safely written.
 */
export async function writeReports(
  s3: S3Client,
  bucket: string,
  prefix: string,
  runId: string,
  report: ScanReport,
  changes: readonly Change[],
  place: LinkPlace = {},
  { latest = true }: { readonly latest?: boolean } = {},
): Promise<StoredReport> {
  const base = `${prefix}runs/${runId}`;
  const links = reportLinks(bucket, prefix, runId, report, place);
  const bodies = {
    json: { body: JSON.stringify(toScanJson(report)), type: 'application/json' },
    markdown: { body: renderMarkdownReport(report, changes, links), type: 'text/markdown; charset=utf-8' },
    html: { body: renderHtmlReport(report, changes, links), type: 'text/html; charset=utf-8' },
  };
  const put = (key: string, { body, type }: { body: string; type: string }) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: type }));
  await Promise.all([put(`${base}.json`, bodies.json), put(`${base}.md`, bodies.markdown), put(`${base}.html`, bodies.html)]);
  if (!latest) return { json: `${base}.json`, markdown: `${base}.md`, html: `${base}.html`, links };
  await Promise.all([put(`${prefix}latest.md`, bodies.markdown), put(`${prefix}latest.html`, bodies.html)]);
  await put(`${prefix}latest.json`, bodies.json);
  return { json: `${base}.json`, markdown: `${base}.md`, html: `${base}.html`, links };
}
