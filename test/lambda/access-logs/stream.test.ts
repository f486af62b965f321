import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { tallyLogStream } from '../../../lambda/access-logs/stream';
import { AccessLogTally } from '../../../lambda/access-logs/tally';
import { ALB, CLASSIC, MALFORMED } from './lines';

/** Bytes cut into chunks of `size`, so that lines and characters straddle chunk boundaries. */
function chunked(bytes: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('tallyLogStream', () => {
  it('counts requests and hang-ups per load balancer and minute, whatever the chunk boundaries', async () => {
    // Prepare: lines cut every 7 bytes, one with a multi-byte character, CRLF endings, no final newline
    const text = [CLASSIC.seed, CLASSIC.hangup, CLASSIC.http, CLASSIC.slow504.replace('curl/7.38.0', 'curl/7.38.0 «ünïcode»')].join('\r\n');
    const tally = new AccessLogTally();

    // Act
    const stats = await tallyLogStream(chunked(Buffer.from(text), 7), tally, 'elb.log');

    // Assess
    expect(stats).toEqual({ bytesRead: Buffer.byteLength(text), bytesOfText: Buffer.byteLength(text), gzip: false });
    expect(tally.lines).toBe(4);
    expect(tally.malformed).toBe(0);
    const elb = tally.loadBalancers.get('my-elb')!;
    expect({ requests: elb.requests, hangups: elb.hangups, minutes: [...elb.minutes] }).toEqual({
      requests: 3,
      hangups: 2,
      minutes: [
        [Date.UTC(2018, 11, 4, 21, 46), { requests: 1, hangups: 1 }],
        [Date.UTC(2018, 11, 4, 21, 47), { requests: 2, hangups: 1 }],
      ],
    });
    expect(tally.loadBalancers.get('my-loadbalancer')).toMatchObject({ requests: 1, hangups: 0, format: 'classic' });
  });

  it('recognises gzip by its magic bytes, across concatenated gzip members', async () => {
    // Prepare: two gzip members, as a concatenating tool may leave them, with no .gz name
    const bytes = Buffer.concat([gzipSync(`${ALB.current}\n${ALB.slow504}\n`), gzipSync(`${ALB.undispatched504}\n`)]);
    const tally = new AccessLogTally();

    // Act
    const stats = await tallyLogStream(chunked(bytes, 64), tally, 'alb-object');

    // Assess
    expect(stats.gzip).toBe(true);
    expect(stats.bytesRead).toBe(bytes.length);
    expect(tally.loadBalancers.get('app/k8s-web/50dc6c495c0c9188')).toMatchObject({ requests: 3, hangups: 2, format: 'alb' });
  });

  it('counts malformed lines with where they are and why, and keeps counting after them', async () => {
    // Prepare
    const text = [CLASSIC.seed, MALFORMED.truncatedInQuote, MALFORMED.garbage, '', CLASSIC.hangup, MALFORMED.badStatus].join('\n');
    const tally = new AccessLogTally({ malformedExamples: 2 });

    // Act
    await tallyLogStream(Readable.from([Buffer.from(text)]), tally, 'mixed.log');

    // Assess: four malformed (the empty line too), two examples kept
    expect([tally.lines, tally.malformed]).toEqual([6, 4]);
    expect(tally.malformedExamples).toEqual([
      { source: 'mixed.log', line: 2, reason: 'a quoted field is not closed', text: MALFORMED.truncatedInQuote.slice(0, 120) },
      { source: 'mixed.log', line: 3, reason: '"<html><body>Access" starts neither an ALB entry (a type such as http) nor a Classic ELB entry (a timestamp)', text: MALFORMED.garbage },
    ]);
    expect(tally.loadBalancers.get('my-elb')).toMatchObject({ requests: 2, hangups: 2 });
  });

  it('skips a line longer than any entry without holding it, and counts the next line', async () => {
    // Prepare: 1 MB without a newline, then a good line
    const huge = 'x'.repeat(1024 * 1024);
    const tally = new AccessLogTally();

    // Act
    await tallyLogStream(chunked(Buffer.from(`${huge}\n${CLASSIC.seed}\n`), 65_536), tally, 'huge.log', { maxLineLength: 100_000 });

    // Assess
    expect([tally.lines, tally.malformed]).toEqual([2, 1]);
    expect(tally.malformedExamples[0]).toMatchObject({ line: 1, reason: 'longer than 100000 characters: no entry is' });
    expect(tally.loadBalancers.get('my-elb')?.hangups).toBe(1);
  });

  it('rejects a corrupt gzip object instead of counting part of it silently', async () => {
    // Prepare: a gzip header followed by garbage
    const bytes = Buffer.concat([gzipSync(CLASSIC.seed).subarray(0, 12), Buffer.from('not deflate data at all')]);

    // Act & Assess
    await expect(tallyLogStream(Readable.from([bytes]), new AccessLogTally(), 'broken.gz')).rejects.toThrow(/incorrect header check|invalid|unexpected end/i);
  });

  it('counts nothing in an empty object', async () => {
    // Prepare
    const tally = new AccessLogTally();

    // Act
    const stats = await tallyLogStream(Readable.from([]), tally, 'empty.log');

    // Assess
    expect(stats).toEqual({ bytesRead: 0, bytesOfText: 0, gzip: false });
    expect(tally.lines).toBe(0);
  });
});
