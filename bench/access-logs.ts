/**
 * The access log parser's throughput and memory on a generated 1 GB log, plain and gzip.
 *
 * Why a repeated pool: generating a gigabyte of lines would cost as much as parsing it; a
 * pool of distinct lines (32 MB), streamed again and again, measures the parser alone, and
 * memory that stays flat over a gigabyte shows that nothing is held per line.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { tallyLogStream } from '../lambda/access-logs/stream';
import { AccessLogTally } from '../lambda/access-logs/tally';

const MB = 1024 * 1024;
const POOL_BYTES = 32 * MB;
const CHUNK_BYTES = 64 * 1024;

/** One generated line: Classic or ALB, one in 500 a hang-up, clients IPv4 and IPv6. */
function line(i: number): string {
  const time = new Date(Date.UTC(2026, 10, 25, 18, 0, 0) + i * 3).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}Z`);
  const client = i % 7 === 0 ? `2001:db8::${(i % 65535).toString(16)}:${1024 + (i % 60000)}` : `198.51.${i % 256}.${(i >> 8) % 256}:${1024 + (i % 60000)}`;
  const hangup = i % 500 === 0;
  const target = hangup && i % 1000 === 0 ? '-' : `10.0.${i % 16}.${i % 250}:30080`;
  const times = hangup ? '-1 -1 -1' : `0.000${i % 90} 0.0${i % 900} 0.000${i % 50}`;
  const path = `/api/v1/items/${i % 10_000}?page=${i % 17}&q=a b`;
  if (i % 2 === 0) {
    const status = hangup ? '504 0' : '200 200';
    return `${time} web-${i % 8} ${client} ${target} ${times} ${status} ${i % 900} ${i % 40_000} "GET https://api.example.com:443${path} HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) Firefox/${i % 130}.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`;
  }
  const status = hangup ? '502 -' : '200 200';
  return `https ${time} app/k8s-${i % 8}/50dc6c495c0c9188 ${client} ${target} ${times} ${status} ${i % 900} ${i % 40_000} "GET https://api.example.com:443${path} HTTP/1.1" "Mozilla/5.0 (Macintosh) \\"quoted\\" agent/${i % 97}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-${i % 8}/73e2d6bc24d8a067 "Root=1-67a1b2c3-${i.toString(16).padStart(24, '0')}" "api.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 ${time} "forward" "-" "-" "${target}" "${hangup ? '-' : '200'}" "-" "-" TID_${i.toString(16)} "-" "-" "-"`;
}

function pool(): { chunks: Buffer[]; lines: number; hangups: number } {
  const text: string[] = [];
  let bytes = 0;
  let hangups = 0;
  for (let i = 1; bytes < POOL_BYTES; i++) {
    const l = line(i);
    text.push(l);
    bytes += l.length + 1;
    if (i % 500 === 0) hangups++;
  }
  const buffer = Buffer.from(`${text.join('\n')}\n`);
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += CHUNK_BYTES) chunks.push(buffer.subarray(at, at + CHUNK_BYTES));
  return { chunks, lines: text.length, hangups };
}

/** The pool's chunks, `repeats` times over, sampling memory as it goes. */
function repeated(chunks: readonly Buffer[], repeats: number, samples: number[]): Readable {
  return Readable.from(
    (function* () {
      for (let r = 0; r < repeats; r++) {
        if (r % Math.max(1, Math.floor(repeats / 8)) === 0) samples.push(process.memoryUsage().rss);
        yield* chunks;
      }
      samples.push(process.memoryUsage().rss);
    })(),
  );
}

async function measure(label: string, chunks: readonly Buffer[], repeats: number, expected: { lines: number; hangups: number }): Promise<void> {
  global.gc?.();
  const samples: number[] = [];
  const tally = new AccessLogTally();
  const started = performance.now();
  const stats = await tallyLogStream(repeated(chunks, repeats, samples), tally, label);
  const seconds = (performance.now() - started) / 1000;
  const tallies = [...tally.loadBalancers.values()];
  const requests = tallies.reduce((sum, lb) => sum + lb.requests, 0);
  const hangups = tallies.reduce((sum, lb) => sum + lb.hangups, 0);
  const ok = requests === expected.lines * repeats && hangups === expected.hangups * repeats && tally.malformed === 0;
  const mib = (bytes: number) => `${Math.round(bytes / MB)}`;
  console.log(
    `| ${label} | ${(stats.bytesOfText / 1e9).toFixed(2)} GB | ${(stats.bytesRead / 1e9).toFixed(2)} GB | ${(tally.lines / 1e6).toFixed(2)} M | ${Math.round(tally.lines / seconds).toLocaleString('en-US')} | ${Math.round(stats.bytesOfText / MB / seconds)} | ${seconds.toFixed(1)} s | ${samples.map(mib).join(' / ')} | ${ok ? `yes (${hangups.toLocaleString('en-US')} hang-ups)` : 'NO'} |`,
  );
}

/**
 * Prints lines per second, MB per second and resident memory while parsing `gigabytes` of
 * generated log text, plain and gzip-compressed.
 */
export async function accessLogsBenchmark(gigabytes: number): Promise<void> {
  const { chunks, lines, hangups } = pool();
  const repeats = Math.ceil((gigabytes * 1e9) / (chunks.length * CHUNK_BYTES));
  // Concatenated gzip members of the same pool: gunzip streams them as one object.
  const gzipped = gzipSync(Buffer.concat(chunks), { level: 6 });
  const gzipChunks: Buffer[] = [];
  for (let at = 0; at < gzipped.length; at += CHUNK_BYTES) gzipChunks.push(gzipped.subarray(at, at + CHUNK_BYTES));
  console.log(`\n## Access log parser: ${gigabytes} GB of generated Classic ELB and ALB lines (a ${POOL_BYTES / MB} MB pool of ${lines.toLocaleString('en-US')} distinct lines, streamed ${repeats} times in ${CHUNK_BYTES / 1024} KB chunks)\n`);
  console.log('| input | log text | bytes read | lines | lines/s | MB/s | time | RSS MiB while parsing (start ... end) | counts exact |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  await measure('plain', chunks, repeats, { lines, hangups });
  await measure('gzip', gzipChunks, repeats, { lines, hangups });
}
