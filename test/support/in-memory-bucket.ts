/**
 * A bucket as a map of keys to bodies, behind the real S3 client (aws-sdk-client-mock): what
 * one handler writes, the next one reads, and a missing key is `NoSuchKey`, as S3 answers a
 * caller allowed to list the bucket.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';

export function inMemoryBucket(initial: Readonly<Record<string, unknown>> = {}) {
  const objects = new Map<string, string>(Object.entries(initial).map(([key, value]) => [key, JSON.stringify(value)]));
  const s3 = mockClient(S3Client);
  s3.on(PutObjectCommand).callsFake((input) => void objects.set(input.Key, String(input.Body)));
  s3.on(GetObjectCommand).callsFake((input) => {
    const body = objects.get(input.Key);
    if (body === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: sdkStreamMixin(Readable.from([body])) };
  });
  return { s3, objects };
}
