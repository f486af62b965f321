/**
 * Feeds a log object or file, plain or gzip, to a tally, line by line, as its bytes arrive.
 *
 * Why streamed: ALB log objects of a busy load balancer reach hundreds of megabytes
 * uncompressed; memory holds one chunk and one line, whatever the object's size.
 */
import { Readable, pipeline } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { withDefaults } from '../shared/defaults';
import type { AccessLogTally } from './tally';

/** Defaults of streaming, merged once. */
export const defaults = {
  /**
   * Longer lines are counted as malformed and skipped without being held: an entry is at
   * most a few KB plus an 8 KB user agent and the request line.
   */
  maxLineLength: 64 * 1024,
} as const;

export interface StreamOptions {
  /** @default 65536 */
  readonly maxLineLength?: number;
}

/** What went through. */
export interface StreamStats {
  /** Bytes read from the source (compressed, for gzip). */
  readonly bytesRead: number;
  /** Bytes of log text. */
  readonly bytesOfText: number;
  readonly gzip: boolean;
}

/**
 * Counts every line of `source` into `tally` under the name `sourceName`; gzip is recognised
 * by its magic bytes, not by a file name.
 *
 * @example
 * const tally = new AccessLogTally();
 * await tallyLogStream(createReadStream('elb.log.gz'), tally, 'elb.log.gz');
 */
export async function tallyLogStream(source: AsyncIterable<Uint8Array>, tally: AccessLogTally, sourceName: string, options: StreamOptions = {}): Promise<StreamStats> {
  const { maxLineLength } = withDefaults(defaults, options);
  const counted = countBytes(source);
  const { text: chunks, gzip } = await decompressed(counted.chunks);
  const decoder = new StringDecoder('utf8');
  let bytesOfText = 0;
  let carry = '';
  let lineNumber = 0;
  let skippingLongLine = false;
  for await (const chunk of chunks) {
    bytesOfText += chunk.length;
    const text = carry + decoder.write(chunk);
    let start = 0;
    if (skippingLongLine) {
      const newline = text.indexOf('\n');
      if (newline === -1) continue;
      skippingLongLine = false;
      start = newline + 1;
    }
    for (let newline = text.indexOf('\n', start); newline !== -1; newline = text.indexOf('\n', start)) {
      tally.add(text.slice(start, newline), sourceName, ++lineNumber);
      start = newline + 1;
    }
    carry = text.slice(start);
    if (carry.length > maxLineLength) {
      tally.addOversized(carry, sourceName, ++lineNumber, maxLineLength);
      carry = '';
      skippingLongLine = true;
    }
  }
  const rest = carry + decoder.end();
  if (rest !== '' && !skippingLongLine) tally.add(rest, sourceName, ++lineNumber);
  return { bytesRead: counted.total(), bytesOfText, gzip };
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** The log text of a byte stream: gunzipped when it starts with gzip's magic bytes. */
async function decompressed(source: AsyncIterable<Uint8Array>): Promise<{ text: AsyncIterable<Uint8Array>; gzip: boolean }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return { text: Readable.from([]), gzip: false };
  async function* all() {
    yield first.value;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  }
  const gzip = first.value[0] === GZIP_MAGIC[0] && first.value[1] === GZIP_MAGIC[1];
  if (!gzip) return { text: all(), gzip };
  // pipeline destroys the gunzip stream when the source fails, so the loop reading it throws.
  const gunzip = createGunzip();
  pipeline(Readable.from(all()), gunzip, () => undefined);
  return { text: gunzip, gzip };
}

/** Passes chunks through, counting their bytes. */
function countBytes(source: AsyncIterable<Uint8Array>) {
  let total = 0;
  async function* chunks() {
    for await (const chunk of source) {
      total += chunk.length;
      yield chunk;
    }
  }
  return { chunks: chunks(), total: () => total };
}
