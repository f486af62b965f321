/**
 * Counts requests and backend hang-ups per load balancer and minute, line by line.
 *
 * Why per minute: the metrics carry the log lines' own timestamps, and a minute is
 * CloudWatch's finest standard resolution; a log object of five minutes becomes a handful
 * of datums per load balancer, however many lines it has.
 */
import { parseAccessLogLine, type AccessLogEntry } from './parse';
import { isBackendHangup } from './signature';

/** Requests and hang-ups in one bucket of time. */
export interface Counts {
  requests: number;
  hangups: number;
}

/** What was counted for one load balancer. */
export interface LoadBalancerTally extends Counts {
  readonly name: string;
  /** The metrics' `LoadBalancer` dimension value: two load balancers of one name stay apart. */
  readonly dimension: string;
  readonly format: AccessLogEntry['format'];
  /** Earliest and latest entry times, milliseconds since the epoch. */
  firstMs: number;
  lastMs: number;
  /** Counts by the start of their minute (milliseconds since the epoch). */
  readonly minutes: Map<number, Counts>;
}

/** A line that was skipped, for the operator to look at. */
export interface MalformedLine {
  /** Where it came from: a file name, an S3 key. */
  readonly source: string;
  /** 1-based line number within its source. */
  readonly line: number;
  readonly reason: string;
  /** The start of the line. */
  readonly text: string;
}

/** Defaults of a tally, merged once. */
export const defaults = {
  /** Malformed lines kept as examples; the rest are only counted. */
  malformedExamples: 5,
} as const;

/**
 * Accumulates entries from any number of lines and sources.
 *
 * @example
 * const tally = new AccessLogTally();
 * lines.forEach((line, i) => tally.add(line, 'access.log', i + 1));
 * tally.loadBalancers.get('my-elb'); // { requests: 1234, hangups: 37, ... }
 */
export class AccessLogTally {
  /** By the metrics' `LoadBalancer` dimension value. */
  public readonly loadBalancers = new Map<string, LoadBalancerTally>();
  public lines = 0;
  public malformed = 0;
  public readonly malformedExamples: MalformedLine[] = [];
  private readonly maxExamples: number;

  public constructor(options: { readonly malformedExamples?: number } = {}) {
    this.maxExamples = options.malformedExamples ?? defaults.malformedExamples;
  }

  /**
   * Parses and counts one line (without its newline), the `number`th of `source`; a malformed
   * line is counted and skipped.
   */
  public add(line: string, source: string, number: number): void {
    this.lines++;
    const parsed = parseAccessLogLine(line);
    if (parsed.ok) this.count(parsed.entry);
    else this.skip(source, number, parsed.reason, line);
  }

  /** Counts, as malformed, a line too long to be an entry; only its start was kept. */
  public addOversized(head: string, source: string, number: number, maxLength: number): void {
    this.lines++;
    this.skip(source, number, `longer than ${maxLength} characters: no entry is`, head);
  }

  private skip(source: string, line: number, reason: string, text: string): void {
    this.malformed++;
    if (this.malformedExamples.length < this.maxExamples) this.malformedExamples.push({ source, line, reason, text: text.slice(0, 120) });
  }

  private count(entry: AccessLogEntry): void {
    let lb = this.loadBalancers.get(entry.dimension);
    if (lb === undefined) {
      lb = { name: entry.loadBalancer, dimension: entry.dimension, format: entry.format, requests: 0, hangups: 0, firstMs: entry.timeMs, lastMs: entry.timeMs, minutes: new Map() };
      this.loadBalancers.set(entry.dimension, lb);
    }
    const hangup = isBackendHangup(entry) ? 1 : 0;
    lb.requests++;
    lb.hangups += hangup;
    if (entry.timeMs < lb.firstMs) lb.firstMs = entry.timeMs;
    if (entry.timeMs > lb.lastMs) lb.lastMs = entry.timeMs;
    const minute = entry.timeMs - (entry.timeMs % 60_000);
    const counts = lb.minutes.get(minute);
    if (counts === undefined) lb.minutes.set(minute, { requests: 1, hangups: hangup });
    else {
      counts.requests++;
      counts.hangups += hangup;
    }
  }
}
