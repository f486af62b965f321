/**
 * What `idle-canary logs` prints: the counts of downloaded access log files, per load
 * balancer, as JSON or as a table for the terminal.
 */
import type { AccessLogTally, MalformedLine } from '../lambda/access-logs/tally';
import { alignColumns } from '../lambda/report/terminal';
import { printable } from '../lambda/shared/printable';

/** One file read, or why it could not be. */
export interface LogFileOutcome {
  readonly path: string;
  readonly bytesRead: number;
  readonly gzip: boolean;
  readonly lines: number;
  readonly error?: string;
}

/** The JSON of `idle-canary logs --json`. */
export interface LogsSummary {
  readonly files: readonly LogFileOutcome[];
  readonly lines: number;
  readonly malformed: number;
  readonly malformedExamples: readonly MalformedLine[];
  readonly loadBalancers: ReadonlyArray<{
    readonly name: string;
    readonly type: 'classic' | 'alb';
    readonly requests: number;
    readonly hangups: number;
    readonly first: string;
    readonly last: string;
    /** The minutes that had hang-ups, oldest first. */
    readonly hangupMinutes: ReadonlyArray<{ readonly minute: string; readonly hangups: number; readonly requests: number }>;
  }>;
}

/**
 * The summary of a tally: load balancers with the most hang-ups first.
 *
 * @example
 * summarizeLogs(tally, [{ path: 'elb.log', bytesRead: 1024, gzip: false, lines: 10 }]).loadBalancers[0].hangups; // 37
 */
export function summarizeLogs(tally: AccessLogTally, files: readonly LogFileOutcome[]): LogsSummary {
  const loadBalancers = [...tally.loadBalancers.values()]
    .sort((a, b) => b.hangups - a.hangups || a.name.localeCompare(b.name))
    .map((lb) => ({
      name: lb.name,
      type: lb.format,
      requests: lb.requests,
      hangups: lb.hangups,
      first: new Date(lb.firstMs).toISOString(),
      last: new Date(lb.lastMs).toISOString(),
      hangupMinutes: [...lb.minutes]
        .filter(([, counts]) => counts.hangups > 0)
        .sort(([a], [b]) => a - b)
        .map(([minute, counts]) => ({ minute: new Date(minute).toISOString(), hangups: counts.hangups, requests: counts.requests })),
    }));
  return { files, lines: tally.lines, malformed: tally.malformed, malformedExamples: tally.malformedExamples, loadBalancers };
}

/**
 * The summary for a person: one line per load balancer, its worst minutes, the malformed lines
 * and the files that could not be read.
 *
 * @example
 * process.stdout.write(renderLogsSummary(summary));
 */
export function renderLogsSummary(summary: LogsSummary): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const readable = summary.files.filter((f) => f.error === undefined).length;
  const lines = [`idle-canary logs: ${readable} file(s), ${n(summary.lines)} line(s), ${n(summary.malformed)} malformed, ${summary.loadBalancers.length} load balancer(s)`];
  if (summary.loadBalancers.length > 0) {
    const rows = summary.loadBalancers.map((lb) => [lb.name, lb.type, n(lb.requests), n(lb.hangups), percent(lb.hangups, lb.requests), `${minuteText(lb.first)} .. ${minuteText(lb.last)}`]);
    const table = alignColumns([['load balancer', 'type', 'requests', 'hang-ups', 'share', 'first .. last entry (UTC)'], ...rows], new Set([2, 3, 4]));
    lines.push('', ...table.map((row) => row.join('  ').trimEnd()));
  }
  for (const lb of summary.loadBalancers.filter((l) => l.hangups > 0)) {
    const worst = [...lb.hangupMinutes].sort((a, b) => b.hangups - a.hangups || a.minute.localeCompare(b.minute)).slice(0, 3);
    lines.push('', `${lb.name}: ${n(lb.hangups)} request(s) died on a backend connection that had already been closed (${lb.type === 'classic' ? 'ELB 502/504, backend status 0 or -, processing times -1' : 'ELB 502/504, target status -'}).`);
    lines.push(`  worst minutes: ${worst.map((m) => `${minuteText(m.minute)} (${n(m.hangups)} of ${n(m.requests)})`).join(', ')}`);
  }
  if (summary.loadBalancers.some((lb) => lb.hangups > 0)) {
    lines.push('', "Measure the backends' idle limits: idle-canary probe BACKEND:PORT --lb-idle-timeout <the load balancer's idle timeout>");
  }
  if (summary.malformed > 0) {
    lines.push('', `${n(summary.malformed)} malformed line(s) skipped${summary.malformedExamples.length < summary.malformed ? `, the first ${summary.malformedExamples.length}` : ''}:`);
    lines.push(...summary.malformedExamples.map((m) => `  ${m.source}:${m.line}: ${m.reason}`));
  }
  for (const file of summary.files.filter((f) => f.error !== undefined)) lines.push(`not read: ${file.path}: ${file.error}`);
  // Load balancer names and malformed lines come from the log files: never raw to a terminal.
  return `${lines.map((line) => printable(line)).join('\n')}\n`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(part > 0 && (100 * part) / whole < 0.01 ? 4 : 2)} %`;
}

function minuteText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
