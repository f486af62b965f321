/**
 * JSON objects in S3: what the run files, reports and claims are made of.
 */
import { GetObjectCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';

/**
 * Reads and parses one JSON object.
 *
 * @example
 * const discovery = await getJson<Discovery>(s3, 'reports', 'idle-canary/plans/run-1/discovery.json');
 */
export async function getJson<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await output.Body!.transformToString()) as T;
}

/**
 * Writes one JSON object; `condition` makes the write conditional (`IfNoneMatch: '*'`, `IfMatch`).
 *
 * @example
 * await putJson(s3, 'reports', 'idle-canary/latest.json', report);
 */
export function putJson(s3: S3Client, bucket: string, key: string, value: unknown, condition: Pick<PutObjectCommandInput, 'IfNoneMatch' | 'IfMatch'> = {}) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json', ...condition }));
}
