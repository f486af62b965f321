/**
 * The exit status contract of `probe` (docs/CONTRACTS.md): 0 every phase passes, 1 some phase fails,
 * 2 bad input or a target could not be probed at all, 3 inconclusive.
 */
import type { ProbeResult } from '../lambda/probe';

export const EXIT = { pass: 0, fail: 1, badInput: 2, inconclusive: 3 } as const;

/**
 * The exit status once the report file is dealt with: the verdict's status first; a report
 * that could not be written turns only a pass into 2.
 *
 * @example
 * withReport(EXIT.fail, false); // 1: the failure is the news, the report error is on stderr
 */
export function withReport(code: number, reportWritten: boolean): number {
  return !reportWritten && code === EXIT.pass ? EXIT.badInput : code;
}

/**
 * The exit status of a run: a failure is the most important news, then a target that could
 * not be probed at all, then doubt.
 *
 * @example
 * exitCodeOf(results); // 1 when any phase of any target fails
 */
export function exitCodeOf(results: readonly ProbeResult[]): number {
  if (results.some((r) => r.verdict === 'fail')) return EXIT.fail;
  if (results.some((r) => r.error !== undefined)) return EXIT.badInput;
  if (results.some((r) => r.verdict === 'inconclusive')) return EXIT.inconclusive;
  return EXIT.pass;
}
