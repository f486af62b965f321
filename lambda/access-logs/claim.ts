/**
 * Counts each log object once: a marker object per (bucket, key, ETag), created with an S3
 * conditional write, so that a re-delivered notification finds it and stops.
 *
 * Why S3 rather than a table: the conditional `PutObject` (`If-None-Match: *`) is atomic,
 * the reports bucket already exists and expires old objects, and nothing else is deployed.
 * Why a claim and then a record: a crashed invocation leaves a claim, not a record; a
 * claim older than the function's timeout is taken over, so its object is still counted.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { putJson } from '../shared/s3-json';
import { createHash } from 'node:crypto';

/** The log object a marker stands for. */
export interface LogObjectId {
  readonly bucket: string;
  readonly key: string;
  /** Without quotes, as S3 notifications spell it. */
  readonly etag: string;
}

/** What the claim found. */
export type ClaimOutcome =
  /** This invocation counts the object. */
  | { readonly state: 'claimed'; readonly markerKey: string }
  /** Already counted: the notification was delivered again. */
  | { readonly state: 'done'; readonly markerKey: string }
  /** Another invocation is counting it right now. */
  | { readonly state: 'busy'; readonly markerKey: string };

interface Marker {
  /** `released`: an invocation failed before publishing anything; the next one counts the object. */
  readonly state: 'claimed' | 'done' | 'released';
  readonly at: string;
  readonly object: LogObjectId;
  readonly result?: unknown;
}

/** Where the marker of an object lives. */
export function markerKeyOf(prefix: string, object: LogObjectId): string {
  const digest = createHash('sha256').update(`${object.bucket}\n${object.key}\n${object.etag}`).digest('hex');
  return `${prefix}access-logs/seen/${digest}.json`;
}

/**
 * Claims an object for counting.
 *
 * @example
 * const claim = await claimLogObject(s3, reportsBucket, 'idle-canary/', object, new Date(), 360_000);
 * if (claim.state !== 'claimed') return; // counted already, or being counted
 */
export async function claimLogObject(s3: S3Client, bucket: string, prefix: string, object: LogObjectId, now: Date, staleAfterMs: number): Promise<ClaimOutcome> {
  const markerKey = markerKeyOf(prefix, object);
  const claimed: Marker = { state: 'claimed', at: now.toISOString(), object };
  const claim = (condition: { IfNoneMatch: '*' } | { IfMatch: string }) => putJson(s3, bucket, markerKey, claimed, condition);
  try {
    await claim({ IfNoneMatch: '*' });
    return { state: 'claimed', markerKey };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: markerKey }));
  const marker = JSON.parse(await existing.Body!.transformToString()) as Marker;
  if (marker.state === 'done') return { state: 'done', markerKey };
  if (marker.state === 'claimed' && now.getTime() - Date.parse(marker.at) < staleAfterMs) return { state: 'busy', markerKey };
  try {
    // Only if the stale or released claim is still the one read: two takers cannot both win.
    await claim({ IfMatch: existing.ETag! });
    return { state: 'claimed', markerKey };
  } catch (error) {
    if (isConditionFailure(error)) return { state: 'busy', markerKey };
    throw error;
  }
}

/** Records that the object was counted, with what was counted. */
export async function completeClaim(s3: S3Client, bucket: string, markerKey: string, object: LogObjectId, now: Date, result: unknown): Promise<void> {
  await putJson(s3, bucket, markerKey, { state: 'done', at: now.toISOString(), object, result } satisfies Marker);
}

/** Gives the object back: nothing of it was published, so a retry may count it. */
export async function releaseClaim(s3: S3Client, bucket: string, markerKey: string, object: LogObjectId, now: Date): Promise<void> {
  await putJson(s3, bucket, markerKey, { state: 'released', at: now.toISOString(), object } satisfies Marker);
}

/** 412 Precondition Failed, or 409 when a concurrent conditional write won the race. */
function isConditionFailure(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (error as Error).name;
  return status === 412 || status === 409 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict';
}
